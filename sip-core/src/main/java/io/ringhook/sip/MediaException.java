package io.ringhook.sip;

/** A failure to set up a call's media, carrying the outcome (and so the SIP status) with which the call is refused. */
public class MediaException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Outcome outcome;

  public MediaException(Outcome outcome, String message, Throwable cause) {
    super(message, cause);
    if (outcome.status() < 400 || outcome.status() > 699) {
      throw new IllegalArgumentException("a media failure refuses the call: " + outcome + " does not");
    }
    this.outcome = outcome;
  }

  public MediaException(Outcome outcome, String message) {
    this(outcome, message, null);
  }

  /** The SIP final response status to refuse the call with: the outcome's. */
  public int sipStatus() {
    return outcome.status();
  }

  /** The outcome, such as {@link Outcome#AGENT_UNREACHABLE} or {@link Outcome#NO_RTP_PORT}. */
  public Outcome outcome() {
    return outcome;
  }
}
