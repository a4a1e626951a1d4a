package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.EndedBy;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.Outcome;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class CallRecorderTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:42:00Z");

  private static InboundCall call(String id) {
    return new InboundCall(id, id + "@sip", "carrier", new InetSocketAddress("192.0.2.7", 5060), "+12345678912",
        "+12345678913");
  }

  private static CallDecision.Attempt attempt(int n, String failure) {
    return new CallDecision.Attempt(n, T0.plusMillis(10), Duration.ofMillis(30),
        failure == null ? OptionalInt.of(200) : OptionalInt.empty(), Optional.ofNullable(failure), "");
  }

  @Test
  void aCancelledCallsRecordHasTheAbortedAttemptAndItsAgent() {
    CallSummary s = new CallSummary(call("a1"), Outcome.CANCELLED, "caller cancelled while ringing", 487,
        EndedBy.CALLER, T0, Optional.of(T0.plusMillis(5)), Optional.empty(), Optional.empty(), T0.plusSeconds(2),
        Map.of(), Optional.of("sales"), List.of(attempt(1, "status"), attempt(2, "cancelled")));
    CallRecord r = CallRecorder.toRecord(s);
    assertEquals(List.of("status", "cancelled"), r.attempts().stream().map(a -> a.failure().orElse("")).toList());
    assertEquals("192.0.2.7:5060", r.source());
    assertEquals("cancelled", r.outcome());
    assertEquals("caller", r.endedBy());
    assertEquals(487, r.finalStatus());
    assertEquals(Optional.of("sales"), r.agent());
    assertEquals("caller cancelled while ringing", r.endReason());
  }

  @Test
  void aConnectedCallKeepsItsVariablesAndTimes() {
    CallSummary s = new CallSummary(call("a2"), Outcome.CONNECTED, "agent hung up: bye", 200, EndedBy.AGENT, T0,
        Optional.of(T0.plusMillis(5)), Optional.of(T0.plusMillis(50)), Optional.of(T0.plusMillis(60)),
        T0.plusSeconds(9), Map.of("tier", "gold"), Optional.of("demo"), List.of(attempt(1, null)));
    CallRecord r = CallRecorder.toRecord(s);
    assertEquals(Map.of("tier", "gold"), r.variables());
    assertEquals(Optional.of(T0.plusMillis(60)), r.answered());
    assertEquals(Optional.of(Duration.ofMillis(8940)), r.duration());
    assertEquals("agent", r.endedBy());
    assertEquals(OptionalInt.of(200), r.attempts().get(0).status());
  }
}
