package io.ringhook.server;

import io.ringhook.server.records.CallEndedDelivery;
import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.InboundCall;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a finished call to its one {@link CallRecord}. The call's summary already carries everything
 * (the SIP facts, the decision's webhook attempts including one a hang-up aborted, the agent), so
 * this is a plain mapping with no state.
 */
final class CallRecorder {
  private CallRecorder() {}

  static CallRecord toRecord(CallSummary s) {
    return toRecord(s, Optional.empty());
  }

  /** The record, with a pending post-call delivery to {@code callEndedUrl} when there is one. */
  static CallRecord toRecord(CallSummary s, Optional<URI> callEndedUrl) {
    InboundCall c = s.call();
    return new CallRecord(c.callId(), c.sipCallId(), c.trunk(),
        c.source().getAddress().getHostAddress() + ":" + c.source().getPort(), c.fromNumber(), c.toNumber(),
        s.received(), s.ringing(), s.decided(), s.answered(), s.ended(), s.outcome().value(), s.finalStatus(),
        s.endedBy().value(), s.detail(), s.variables() == null ? Map.of() : s.variables(), s.agent(),
        s.attempts(), s.metadata(), s.webhookFailure(), c.sipHeaders(),
        callEndedUrl.map(u -> CallEndedDelivery.pending(u, s.ended())));
  }
}
