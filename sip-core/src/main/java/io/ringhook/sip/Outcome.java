package io.ringhook.sip;

/**
 * How a call ended, one constant per outcome. This enum is the one table of outcomes: each maps to
 * the value the call record stores and the metrics tag calls with ({@link #value()}), and to the
 * SIP status ringhook refuses an INVITE with for it ({@link #status()}).
 */
public enum Outcome {
  /** The call was answered (200 OK); how it ended is in the detail and {@link EndedBy}. */
  CONNECTED("connected", 200),
  /** The caller gave up (CANCEL, or BYE on the early dialog) before the answer: 487 (RFC 3261 9.2). */
  CANCELLED("cancelled", 487),
  /** The server stopped while the call was ringing or connecting. */
  SHUTDOWN("shutdown", 503),
  /** The decider threw or failed. */
  DECISION_ERROR("decision_error", 500),
  /** The media bridge failed in a way it did not classify itself. */
  MEDIA_ERROR("media_error", 503),
  /** No ACK came for our 200 OK (RFC 3261 13.3.1.4); the call was answered, then ended with BYE. */
  NO_ACK("no_ack", 200),
  /** No codec in common: 488 for the INVITE's offer; BYE after an unusable answer in the ACK. */
  NO_CODEC("no_codec", 488),
  /** The INVITE's source matches no trunk. */
  REJECTED_ACL("rejected_acl", 403),
  /** The server is draining for shutdown; the 503 carries Retry-After. */
  DRAINING("draining", 503),
  /** The INVITE requires an extension we do not support (RFC 3261 8.2.2.3). */
  BAD_EXTENSION("bad_extension", 420),
  /** The INVITE's body is not SDP (RFC 3261 8.2.3). */
  UNSUPPORTED_MEDIA("unsupported_media", 415),
  /** The number's webhook gave no 2xx; the status is the number's {@code failure_response} (480 by default). */
  WEBHOOK_FAILED("webhook_failed", 480),
  /** The customer's webhook declined the call; the status is the one it named (603 when it named none). */
  DECLINED("declined", 603),
  /** The agent could not be reached before the answer. */
  AGENT_UNREACHABLE("agent_unreachable", 503),
  /** No RTP port could be bound. */
  NO_RTP_PORT("no_rtp_port", 503),
  /** A decider refused the call without naming an outcome. */
  REFUSED("refused", 480),
  /** The call ended before anything set its outcome (should not happen; counted rather than lost). */
  UNKNOWN("unknown", 500);

  private final String value;
  private final int status;

  Outcome(String value, int status) {
    this.value = value;
    this.status = status;
  }

  /** The name in call records, the admin API, logs and the {@code outcome} metric tag. */
  public String value() {
    return value;
  }

  /** The SIP final status an INVITE refused with this outcome gets (200 for the answered ones). */
  public int status() {
    return status;
  }

  @Override
  public String toString() {
    return value;
  }
}
