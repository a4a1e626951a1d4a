package io.ringhook.media;

import java.util.Optional;

/**
 * The payload of one RFC 4733 telephone-event packet (section 2.3):
 * {@code event(8) | E(1) R(1) volume(6) | duration(16)}.
 *
 * @param event    the event code (0..9, 10 = *, 11 = #, 12..15 = A..D, 16 = flash, ...)
 * @param end      the E bit: this packet reports the end of the event
 * @param volume   the power level in -dBm0, 0..63
 * @param duration the duration so far, in RTP timestamp units (samples at 8000 Hz)
 */
record TelephoneEvent(int event, boolean end, int volume, int duration) {

  /**
   * Parses the first event block of a payload; empty when it is shorter than 4 bytes. Further
   * blocks (RFC 4733 allows several in one packet only for distinct past events, which senders of
   * DTMF do not use) are ignored.
   */
  static Optional<TelephoneEvent> parse(byte[] payload) {
    if (payload.length < 4) {
      return Optional.empty();
    }
    int flags = payload[1] & 0xFF;
    return Optional.of(new TelephoneEvent(payload[0] & 0xFF, (flags & 0x80) != 0, flags & 0x3F,
        ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF)));
  }

  /** The DTMF digit for this event, or {@code 0} when the event is not a DTMF key (e.g. flash). */
  char digit() {
    return event < DtmfEvent.DIGITS.length() ? DtmfEvent.DIGITS.charAt(event) : 0;
  }
}
