package io.ringhook.server.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.http.EventSink;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.MediaSession;
import io.ringhook.webhook.FailureReason;
import io.ringhook.webhook.WebhookResult;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A call's way through the live list as the hooks report it, and what a subscriber receives. */
class LiveCallsTest {
  private static final Instant T0 = Instant.parse("2026-12-06T23:00:00Z");
  private final LiveCalls live = new LiveCalls(Clock.fixed(T0, ZoneOffset.UTC));
  private final InboundCall call = new InboundCall("c1", "sip-1", "local", new InetSocketAddress("127.0.0.1", 5060),
      "+12345678912", "+15550000001");

  /** A subscriber that keeps what it is sent, or refuses (a client that fell behind). */
  private static final class Sink implements EventSink {
    final List<String> events = new ArrayList<>();
    boolean refuse;

    @Override
    public boolean send(String event, String data) {
      events.add(event + " " + data);
      return !refuse;
    }
  }

  @Test
  void aCallRingsAsksTheWebhookConnectsAndLeaves() throws Exception {
    Sink sink = new Sink();
    live.stream().open(sink);
    CompletableFuture<CallDecision> decision = new CompletableFuture<>();
    CompletableFuture<MediaSession> media = new CompletableFuture<>();
    live.watch((c, hungUp) -> decision, c -> true).decide(call, new CompletableFuture<>());
    assertEquals(LiveCall.State.RINGING, live.now().get(0).state());
    assertEquals(1, live.now().get(0).attemptInFlight());

    live.attemptEnded(call, new WebhookResult.Attempt(1, T0, Duration.ofMillis(30), OptionalInt.of(500),
        Optional.of(FailureReason.STATUS), "HTTP 500"));
    assertEquals(2, live.now().get(0).attemptInFlight());
    assertEquals(Optional.of("status (HTTP 500)"), live.now().get(0).lastAttempt());
    CallDecision.Connect connect = new CallDecision.Connect(Map.of(), "ok", Optional.of("sales"), List.of());
    decision.complete(connect);
    assertEquals(LiveCall.State.CONNECTING, live.now().get(0).state());
    assertEquals(0, live.now().get(0).attemptInFlight());
    live.watch((c, d) -> media).open(call, connect);
    media.complete(null);
    assertEquals(LiveCall.State.CONNECTED, live.now().get(0).state());
    assertEquals(Optional.of("sales"), live.now().get(0).agent());
    live.ended("c1");
    assertTrue(live.now().isEmpty());
    live.ended("c1"); // once only

    assertEquals(List.of("snapshot", "update", "update", "update", "update", "ended"),
        sink.events.stream().map(e -> e.substring(0, e.indexOf(' '))).toList(), sink.events.toString());
    assertTrue(sink.events.get(0).contains("\"calls\":[]"));
    assertTrue(sink.events.get(5).contains("\"call_id\":\"c1\""));
  }

  @Test
  void aRefusedCallNeverShowsConnectedAndASubscriberThatFellBehindIsDropped() {
    Sink slow = new Sink();
    live.stream().open(slow);
    slow.refuse = true;
    CompletableFuture<CallDecision> decision = new CompletableFuture<>();
    live.watch((c, hungUp) -> decision, c -> false).decide(call, new CompletableFuture<>());
    assertEquals(0, live.subscribers(), "dropped at its first refused event");
    assertEquals(0, live.now().get(0).attemptInFlight(), "no webhook, no attempt");
    decision.complete(CallDecision.refuse(480, "no", io.ringhook.sip.Outcome.WEBHOOK_FAILED));
    assertEquals(LiveCall.State.RINGING, live.now().get(0).state());
    live.ended("c1");
    assertTrue(live.now().isEmpty());
  }
}
