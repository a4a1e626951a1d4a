package io.ringhook.media;

import java.util.Objects;

/**
 * One decoded RTP packet (RFC 3550 section 5.1): the header fields ringhook uses and a copy of the
 * payload with CSRCs, header extension and padding removed.
 *
 * <p>The payload is copied out of the datagram once so that nothing downstream holds a pooled
 * buffer: a 160-byte copy costs less than the reference-counting contract it spares every consumer.
 * The array is handed over, not shared; whoever receives the packet may keep it.
 *
 * @param marker      the M bit (start of a talk-spurt for audio, start of an event for RFC 4733)
 * @param payloadType 0..127
 * @param sequence    0..65535
 * @param timestamp   0..2^32-1
 * @param ssrc        0..2^32-1
 * @param payload     the payload bytes
 */
record RtpPacket(boolean marker, int payloadType, int sequence, long timestamp, long ssrc,
                 byte[] payload) implements RtpCodec.Decoded {
  RtpPacket {
    if (payloadType < 0 || payloadType > 127) {
      throw new IllegalArgumentException("payloadType must be 0..127, got " + payloadType);
    }
    if (sequence < 0 || sequence > 0xFFFF) {
      throw new IllegalArgumentException("sequence must be 0..65535, got " + sequence);
    }
    if (timestamp < 0 || timestamp > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("timestamp must be 0..2^32-1, got " + timestamp);
    }
    if (ssrc < 0 || ssrc > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("ssrc must be 0..2^32-1, got " + ssrc);
    }
    Objects.requireNonNull(payload, "payload");
  }

  @Override
  public String toString() {
    return "RtpPacket[pt=" + payloadType + ", seq=" + sequence + ", ts=" + timestamp + ", ssrc="
        + Long.toHexString(ssrc) + ", m=" + marker + ", " + payload.length + " bytes]";
  }
}
