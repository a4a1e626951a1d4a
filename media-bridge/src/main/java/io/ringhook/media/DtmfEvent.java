package io.ringhook.media;

/**
 * One DTMF key press received as RFC 4733 telephone-events, reported once per press.
 *
 * @param digit          one of {@code 0123456789*#ABCD}
 * @param durationMillis how long the key was held, as the sender reported it
 * @param volume         the power level in -dBm0 (0..63; larger is quieter)
 * @param timestamp      the RTP timestamp of the event's start (identifies the press)
 * @param ended          false when the press was reported without its end packet ever arriving
 */
public record DtmfEvent(char digit, int durationMillis, int volume, long timestamp, boolean ended) {
  static final String DIGITS = "0123456789*#ABCD";

  public DtmfEvent {
    if (DIGITS.indexOf(digit) < 0) {
      throw new IllegalArgumentException("not a DTMF digit: '" + digit + "'");
    }
  }
}
