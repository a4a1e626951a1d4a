package io.ringhook.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringhook.webhook.FailureReason;
import io.ringhook.webhook.WebhookResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Overview's history: what changed in each interval, read from the real registry's meters. */
class MeterHistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-06T23:00:00Z");
  private final RingMetrics metrics = new RingMetrics(false);
  private Instant now = T0;
  private final MeterHistory history = new MeterHistory(metrics.registry(),
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      }, Duration.ofSeconds(5));

  @AfterEach
  void tearDown() {
    metrics.close();
  }

  private static WebhookResult.Attempt attempt(long millis, FailureReason failure) {
    return new WebhookResult.Attempt(1, T0, Duration.ofMillis(millis),
        failure == null ? OptionalInt.of(200) : OptionalInt.empty(), Optional.ofNullable(failure), "");
  }

  @Test
  void eachPointHoldsWhatChangedInItsInterval() throws Exception {
    AtomicInteger active = new AtomicInteger();
    metrics.bindCalls(active::get, () -> 0, () -> 0);
    history.sample(); // the baseline: no point yet
    assertEquals(0, new ObjectMapper().readTree(history.json()).path("points").size());

    for (int i = 0; i < 10; i++) {
      metrics.registry().counter("ringhook.calls", "outcome", i < 8 ? "connected" : "webhook_failed").increment();
    }
    for (int i = 0; i < 90; i++) {
      metrics.webhookAttempt(attempt(40, null)); // the 25..50 ms bucket
    }
    for (int i = 0; i < 10; i++) {
      metrics.webhookAttempt(attempt(10_000, FailureReason.TIMEOUT)); // at the deadline
    }
    metrics.webhookAttempt(attempt(3, FailureReason.CANCELLED)); // the caller hung up: not a failure
    metrics.agentConnect(Duration.ofMillis(80), "ok");
    active.set(3);
    now = now.plusSeconds(5);
    history.sample();
    now = now.plusSeconds(5);
    history.sample(); // nothing happened

    JsonNode points = new ObjectMapper().readTree(history.json()).path("points");
    assertEquals(2, points.size(), points.toString());
    JsonNode p = points.get(0);
    assertEquals("2026-12-06T23:00:05Z", p.path("t").asText());
    assertEquals(10, p.path("calls").asInt());
    assertEquals(2.0, p.path("calls_per_second").asDouble());
    assertEquals(8, p.path("outcomes").path("connected").asInt());
    assertEquals(2, p.path("outcomes").path("webhook_failed").asInt());
    assertEquals(90, p.path("webhook_ok").asInt());
    assertEquals(10, p.path("webhook_failed").asInt());
    assertEquals(3, p.path("active").asInt());
    double p50 = p.path("webhook_p50_ms").asDouble();
    assertTrue(p50 > 25 && p50 <= 50, "p50 inside the 25..50 ms bucket: " + p);
    assertTrue(p.path("webhook_p99_ms").asDouble() >= 5000, "p99 among the timeouts: " + p);
    double agent = p.path("agent_connect_p50_ms").asDouble();
    assertTrue(agent > 50 && agent <= 100, p.toString());

    JsonNode quiet = points.get(1);
    assertEquals(0, quiet.path("calls").asInt());
    assertTrue(quiet.path("webhook_p50_ms").isNull(), "no attempts, no latency: " + quiet);
    assertEquals(3, quiet.path("active").asInt());
  }

  @Test
  void onlyTheLastFifteenMinutesAreKept() {
    for (int i = 0; i <= MeterHistory.POINTS + 20; i++) {
      now = now.plusSeconds(5);
      history.sample();
    }
    assertTrue(history.json().contains("\"t\":\"" + now + "\""));
    assertEquals(MeterHistory.POINTS, history.json().split("\"t\":").length - 1);
  }
}
