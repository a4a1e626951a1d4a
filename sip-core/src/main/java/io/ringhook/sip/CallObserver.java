package io.ringhook.sip;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Told about every call the SIP layer handled, once, when it has ended, including INVITEs refused
 * before they became a call (trunk ACL, no common codec, draining). Called on the call's event
 * thread or a JAIN-SIP thread: implementations must return at once (hand the record to a queue,
 * never write to a store).
 */
@FunctionalInterface
public interface CallObserver {
  void callEnded(CallSummary summary);

  /** An observer that does nothing. */
  static CallObserver none() {
    return summary -> { };
  }

  /**
   * What happened to one call.
   *
   * @param call        the call's facts (ids, trunk, source, numbers)
   * @param outcome     e.g. {@link Outcome#CONNECTED}, {@link Outcome#CANCELLED}, {@link Outcome#WEBHOOK_FAILED},
   *                    and for an INVITE refused before it became a call {@link Outcome#REJECTED_ACL},
   *                    {@link Outcome#NO_CODEC}, {@link Outcome#DRAINING}, ...
   * @param detail      free text: why it ended, who hung up
   * @param finalStatus the final response sent to the INVITE (200 when answered)
   * @param endedBy     who ended the call
   * @param received    when the INVITE arrived
   * @param ringing     when 180 Ringing was sent; empty for an INVITE refused at once
   * @param decided     when the decider answered, if it did
   * @param answered    when 200 OK was sent, if it was
   * @param ended       when the call ended
   * @param variables   the dynamic variables of a connect decision (empty otherwise)
   * @param agent       the agent the media was opened to, by name, when it was
   * @param attempts    what the decider tried (each webhook request), including one a hang-up aborted
   * @param metadata    the connect decision's metadata (a JSON object as text), when it had some
   * @param webhookFailure why the webhook failed, for a call connected in spite of it
   */
  record CallSummary(InboundCall call, Outcome outcome, String detail, int finalStatus, EndedBy endedBy,
                     Instant received, Optional<Instant> ringing, Optional<Instant> decided,
                     Optional<Instant> answered, Instant ended, Map<String, String> variables,
                     Optional<String> agent, List<CallDecision.Attempt> attempts, Optional<String> metadata,
                     Optional<String> webhookFailure) {
    /** A summary without metadata or webhook failure. */
    public CallSummary(InboundCall call, Outcome outcome, String detail, int finalStatus, EndedBy endedBy,
                       Instant received, Optional<Instant> ringing, Optional<Instant> decided,
                       Optional<Instant> answered, Instant ended, Map<String, String> variables,
                       Optional<String> agent, List<CallDecision.Attempt> attempts) {
      this(call, outcome, detail, finalStatus, endedBy, received, ringing, decided, answered, ended, variables,
          agent, attempts, Optional.empty(), Optional.empty());
    }
  }
}
