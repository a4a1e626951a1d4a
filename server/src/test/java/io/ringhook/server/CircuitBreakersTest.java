package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringhook.server.CircuitBreakers.Permit;
import io.ringhook.server.CircuitBreakers.State;
import io.ringhook.server.config.CircuitBreakerSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-origin breaker's states against a clock the test moves. */
class CircuitBreakersTest {
  private static final String A = "https://crm.example:443";
  private static final String B = "http://other.example:8080";

  private long now = 1_000_000_000L;
  private final List<String> changes = new ArrayList<>();
  private final CircuitBreakers breakers = new CircuitBreakers(
      new CircuitBreakerSettings(3, Duration.ofSeconds(10), Duration.ofSeconds(30)), () -> now,
      (origin, from, to) -> changes.add(origin + " " + from.value() + ">" + to.value()));

  private void advance(Duration d) {
    now += d.toNanos();
  }

  private void fail(String origin, int times) {
    for (int i = 0; i < times; i++) {
      breakers.attemptEnded(origin, false);
    }
  }

  @Test
  void opensAfterTheConfiguredFailuresInARowAndOnlyForThatOrigin() {
    fail(A, 2);
    assertEquals(Permit.PASS, breakers.acquire(A));
    fail(A, 1);
    assertEquals(State.OPEN, breakers.state(A));
    assertEquals(Permit.SKIP, breakers.acquire(A));
    assertEquals(Permit.PASS, breakers.acquire(B), "another origin is not affected");
    assertEquals(List.of(A + " closed>open"), changes);
  }

  @Test
  void aSuccessInBetweenOrFailuresSpreadBeyondTheWindowDoNotOpenIt() {
    fail(A, 2);
    breakers.attemptEnded(A, true);
    fail(A, 2);
    assertEquals(State.CLOSED, breakers.state(A));
    advance(Duration.ofSeconds(11)); // the first of the run is now too old: a new run starts
    fail(A, 2);
    assertEquals(State.CLOSED, breakers.state(A));
    fail(A, 1);
    assertEquals(State.OPEN, breakers.state(A));
  }

  @Test
  void afterTheCoolDownOneProbeAtATimeAndItsResultDecides() {
    fail(A, 3);
    advance(Duration.ofSeconds(29));
    assertEquals(Permit.SKIP, breakers.acquire(A));
    advance(Duration.ofSeconds(1));
    assertEquals(Permit.PROBE, breakers.acquire(A));
    assertEquals(Permit.SKIP, breakers.acquire(A), "one probe at a time");

    fail(A, 1);
    breakers.probeEnded(A, false);
    assertEquals(State.OPEN, breakers.state(A));
    assertEquals(Permit.SKIP, breakers.acquire(A), "a failed probe starts another cool-down");

    advance(Duration.ofSeconds(30));
    assertEquals(Permit.PROBE, breakers.acquire(A));
    breakers.attemptEnded(A, true);
    breakers.probeEnded(A, true);
    assertEquals(State.CLOSED, breakers.state(A));
    assertEquals(Permit.PASS, breakers.acquire(A));
    assertEquals(List.of(A + " closed>open", A + " open>half_open", A + " half_open>open", A + " open>half_open",
        A + " half_open>closed"), changes);
  }

  @Test
  void originsAreKeyedLikeConnectionPools() {
    assertEquals(A, CircuitBreakers.origin(URI.create("https://CRM.example/inbound?x=1")));
    assertEquals(B, CircuitBreakers.origin(URI.create("http://other.example:8080/a")));
    assertEquals("http://h:80", CircuitBreakers.origin(URI.create("http://h/")));
  }
}
