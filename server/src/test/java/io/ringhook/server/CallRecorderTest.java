package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.EndedBy;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.Outcome;
import io.ringhook.webhook.AttemptListener;
import io.ringhook.webhook.FailureReason;
import io.ringhook.webhook.WebhookResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallRecorderTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:42:00Z");
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<CallRecord> records = new CopyOnWriteArrayList<>();
  private final CallRecorder recorder = new CallRecorder(records::add, scheduler);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static InboundCall call(String id) {
    return new InboundCall(id, id + "@sip", "carrier", new InetSocketAddress("192.0.2.7", 5060), "+12345678912",
        "+12345678913");
  }

  private static CallSummary summary(InboundCall c, Outcome outcome, EndedBy endedBy) {
    return new CallSummary(c, outcome, "detail", 487, endedBy, T0, Optional.of(T0.plusMillis(5)),
        Optional.empty(), Optional.empty(), T0.plusSeconds(2), Map.of());
  }

  private static WebhookResult.Attempt attempt(int n, FailureReason failure) {
    return new WebhookResult.Attempt(n, T0.plusMillis(10), Duration.ofMillis(30),
        failure == null ? OptionalInt.of(200) : OptionalInt.empty(), Optional.ofNullable(failure), "");
  }

  @Test
  void aCancelledCallsRecordWaitsForTheAbortedAttemptAndKeepsTheAgent() throws Exception {
    InboundCall c = call("a1");
    recorder.callStarted(c);
    AttemptListener attempts = recorder.webhookStarted(c);
    attempts.attemptEnded(attempt(1, FailureReason.STATUS));
    recorder.callEnded(summary(c, Outcome.CANCELLED, EndedBy.CALLER));
    assertTrue(records.isEmpty(), "the aborted attempt is still to come");
    attempts.attemptEnded(attempt(2, FailureReason.CANCELLED));
    assertEquals(1, records.size());
    CallRecord r = records.get(0);
    assertEquals(List.of("status", "cancelled"), r.attempts().stream().map(a -> a.failure().orElse("")).toList());
    assertEquals("192.0.2.7:5060", r.source());
    assertEquals("caller", r.endedBy());
    assertEquals(0, recorder.open());
  }

  @Test
  void withoutTheLateAttemptTheRecordIsWrittenAfterTheWait() throws Exception {
    InboundCall c = call("a2");
    recorder.callStarted(c);
    recorder.webhookStarted(c);
    recorder.callEnded(summary(c, Outcome.CANCELLED, EndedBy.CALLER));
    long deadline = System.nanoTime() + CallRecorder.LATE_ATTEMPT_WAIT.multipliedBy(5).toNanos();
    while (records.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(1, records.size());
    assertEquals(0, recorder.open());
  }

  @Test
  void aFinishedWebhookRecordsAtOnceAndALateAgentEventLeavesNothingBehind() {
    InboundCall c = call("a3");
    recorder.callStarted(c);
    AttemptListener attempts = recorder.webhookStarted(c);
    attempts.attemptEnded(attempt(1, null));
    recorder.agentChosen(c, "sales");
    recorder.callEnded(summary(c, Outcome.CONNECTED, EndedBy.AGENT));
    assertEquals(1, records.size());
    assertEquals(Optional.of("sales"), records.get(0).agent());
    recorder.agentChosen(c, "sales");
    recorder.agentChosen(call("never-started"), "sales");
    assertEquals(0, recorder.open());
  }
}
