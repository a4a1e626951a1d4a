package io.ringhook.server.records;

import io.ringhook.sip.CallDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one inbound call, as stored and as the admin API shows it: written once, when
 * the call has ended.
 *
 * @param callId      ringhook's call id (the webhook's Idempotency-Key source, the log key)
 * @param sipCallId   the INVITE's Call-ID
 * @param trunk       the trunk the INVITE matched (empty when it matched none)
 * @param source      the INVITE's source, {@code ip:port}
 * @param fromNumber  the caller, E.164 when it could be normalised
 * @param toNumber    the dialed number, E.164 when it could be normalised
 * @param received    when the INVITE arrived
 * @param ringing     when 180 Ringing was sent
 * @param decided     when the webhook (or the no-webhook rule) decided
 * @param answered    when 200 OK was sent
 * @param ended       when the call ended
 * @param outcome     {@code connected}, {@code webhook_failed}, {@code cancelled}, {@code rejected_acl},
 *                    {@code agent_unreachable}, {@code no_codec}, ...
 * @param finalStatus the final SIP status sent to the INVITE (200 when answered)
 * @param endedBy     who ended it: {@code caller}, {@code agent} or {@code ringhook}
 * @param endReason   why, in words
 * @param variables   the dynamic variables the webhook returned (empty otherwise)
 * @param agent       the agent's name, when media was opened to one
 * @param attempts    every webhook attempt, in order (empty when no webhook was asked)
 * @param metadata    the webhook answer's {@code metadata} object as JSON text, when it had one
 * @param webhookFailure why the webhook failed, for a call connected in spite of it ({@code on_webhook_failure: connect})
 * @param sipHeaders  the INVITE headers the trunk lets through to the agent, by name
 * @param callEnded   the post-call {@code call_ended} event's delivery, when the number has a URL for it
 */
public record CallRecord(String callId, String sipCallId, String trunk, String source, String fromNumber,
                         String toNumber, Instant received, Optional<Instant> ringing, Optional<Instant> decided,
                         Optional<Instant> answered, Instant ended, String outcome, int finalStatus,
                         String endedBy, String endReason, Map<String, String> variables, Optional<String> agent,
                         List<CallDecision.Attempt> attempts, Optional<String> metadata,
                         Optional<String> webhookFailure, Map<String, String> sipHeaders,
                         Optional<CallEndedDelivery> callEnded) {
  /** A record of a call without metadata, webhook failure, SIP headers or post-call event. */
  public CallRecord(String callId, String sipCallId, String trunk, String source, String fromNumber,
                    String toNumber, Instant received, Optional<Instant> ringing, Optional<Instant> decided,
                    Optional<Instant> answered, Instant ended, String outcome, int finalStatus,
                    String endedBy, String endReason, Map<String, String> variables, Optional<String> agent,
                    List<CallDecision.Attempt> attempts) {
    this(callId, sipCallId, trunk, source, fromNumber, toNumber, received, ringing, decided, answered, ended,
        outcome, finalStatus, endedBy, endReason, variables, agent, attempts, Optional.empty(), Optional.empty(),
        Map.of(), Optional.empty());
  }

  public CallRecord {
    Objects.requireNonNull(callId, "callId");
    sipCallId = sipCallId == null ? "" : sipCallId;
    trunk = trunk == null ? "" : trunk;
    source = source == null ? "" : source;
    fromNumber = fromNumber == null ? "" : fromNumber;
    toNumber = toNumber == null ? "" : toNumber;
    Objects.requireNonNull(received, "received");
    Objects.requireNonNull(ringing, "ringing");
    Objects.requireNonNull(decided, "decided");
    Objects.requireNonNull(answered, "answered");
    Objects.requireNonNull(ended, "ended");
    Objects.requireNonNull(outcome, "outcome");
    endedBy = endedBy == null ? "" : endedBy;
    endReason = endReason == null ? "" : endReason;
    variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    Objects.requireNonNull(agent, "agent");
    attempts = List.copyOf(attempts);
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(webhookFailure, "webhookFailure");
    sipHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(sipHeaders));
    Objects.requireNonNull(callEnded, "callEnded");
  }

  /** The same record with the given webhook attempts and post-call delivery (as read back from the store). */
  public CallRecord with(List<CallDecision.Attempt> attempts, Optional<CallEndedDelivery> callEnded) {
    return new CallRecord(callId, sipCallId, trunk, source, fromNumber, toNumber, received, ringing, decided,
        answered, ended, outcome, finalStatus, endedBy, endReason, variables, agent, attempts, metadata,
        webhookFailure, sipHeaders, callEnded);
  }

  /** How long the call was connected: answered to ended; empty when it never was. */
  public Optional<Duration> duration() {
    return answered.map(a -> Duration.between(a, ended));
  }
}
