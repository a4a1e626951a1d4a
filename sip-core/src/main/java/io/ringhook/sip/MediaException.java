package io.ringhook.sip;

/** A failure to set up a call's media, carrying the SIP status with which the call is refused. */
public class MediaException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int sipStatus;
  private final String outcome;

  public MediaException(int sipStatus, String outcome, String message, Throwable cause) {
    super(message, cause);
    if (sipStatus < 400 || sipStatus > 699) {
      throw new IllegalArgumentException("sipStatus must be 400..699, got " + sipStatus);
    }
    this.sipStatus = sipStatus;
    this.outcome = outcome;
  }

  public MediaException(int sipStatus, String outcome, String message) {
    this(sipStatus, outcome, message, null);
  }

  /** The SIP final response status to refuse the call with. */
  public int sipStatus() {
    return sipStatus;
  }

  /** A short machine-readable outcome name such as {@code agent_unreachable} or {@code no_rtp_port}. */
  public String outcome() {
    return outcome;
  }
}
