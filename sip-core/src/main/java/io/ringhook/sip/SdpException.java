package io.ringhook.sip;

/**
 * A session description that cannot be used: malformed, or one whose streams we cannot take part in.
 *
 * <p>Checked because it comes from the peer, not from a programming error: the caller must decide
 * what the call does about it (488 to an offer, BYE after an unusable answer in an ACK).
 */
public final class SdpException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int warningCode;

  /**
   * Creates the exception.
   *
   * @param warningCode the RFC 3261 section 20.43 warn-code that describes the problem (e.g. 305
   *                    "Incompatible media format"; 399 for malformed text)
   * @param message     what is wrong, for logs and the Warning header's text
   */
  public SdpException(int warningCode, String message) {
    super(message);
    if (warningCode < 300 || warningCode > 399) {
      throw new IllegalArgumentException("warningCode must be 300..399, got " + warningCode);
    }
    this.warningCode = warningCode;
  }

  /** The RFC 3261 warn-code (300..399) for a Warning header on the 488 or in the logs. */
  public int warningCode() {
    return warningCode;
  }
}
