package io.ringhook.sip;

import java.time.Instant;
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
   * @param outcome     e.g. {@code connected}, {@code cancelled}, {@code webhook_failed}, {@code agent_unreachable},
   *                    and for an INVITE refused before it became a call {@code rejected_acl},
   *                    {@code no_codec}, {@code unsupported_media}, {@code bad_extension}, {@code draining}
   * @param detail      free text: why it ended, who hung up
   * @param finalStatus the final response sent to the INVITE (200 when answered)
   * @param endedBy     who ended the call: {@link #CALLER}, {@link #AGENT} or {@link #RINGHOOK}
   * @param received    when the INVITE arrived
   * @param ringing     when 180 Ringing was sent; empty for an INVITE refused at once
   * @param decided     when the decider answered, if it did
   * @param answered    when 200 OK was sent, if it was
   * @param ended       when the call ended
   * @param variables   the dynamic variables of a connect decision (empty otherwise)
   */
  record CallSummary(InboundCall call, String outcome, String detail, int finalStatus, String endedBy,
                     Instant received, Optional<Instant> ringing, Optional<Instant> decided,
                     Optional<Instant> answered, Instant ended, Map<String, String> variables) {
    /** The caller hung up, cancelled, or sent BYE. */
    public static final String CALLER = "caller";
    /** The agent closed its connection. */
    public static final String AGENT = "agent";
    /** ringhook ended it: a refusal, a timeout, a failure, or shutdown. */
    public static final String RINGHOOK = "ringhook";
  }
}
