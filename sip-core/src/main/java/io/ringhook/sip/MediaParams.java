package io.ringhook.sip;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The outcome of SDP offer/answer for one audio stream.
 *
 * @param remote            where the peer said to send RTP (a symmetric-RTP implementation switches
 *                          to the address the peer's packets actually come from)
 * @param payloadType       the agreed audio payload type: 0 (PCMU) or 8 (PCMA)
 * @param telephoneEventPt  the RFC 4733 telephone-event payload type, or -1 when not negotiated
 * @param direction         the direction of the stream from our side
 */
public record MediaParams(InetSocketAddress remote, int payloadType, int telephoneEventPt,
                          Direction direction) {
  public MediaParams {
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(direction, "direction");
    if (payloadType != 0 && payloadType != 8) {
      throw new IllegalArgumentException("payloadType must be 0 (PCMU) or 8 (PCMA), got " + payloadType);
    }
    if (telephoneEventPt != -1 && (telephoneEventPt < 96 || telephoneEventPt > 127)) {
      throw new IllegalArgumentException("telephoneEventPt must be -1 or 96..127, got " + telephoneEventPt);
    }
  }

  /** Media direction from our side, as in the SDP attributes of RFC 3264 section 6.1. */
  public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    public boolean sends() {
      return this == SENDRECV || this == SENDONLY;
    }

    public boolean receives() {
      return this == SENDRECV || this == RECVONLY;
    }
  }
}
