package io.ringhook.media;

import java.util.Objects;

/**
 * One packet's worth of the caller's audio, delivered in sequence order by an {@link RtpEndpoint}.
 *
 * <p>The payload array is the receiver's to keep (every frame gets a fresh one); it is not copied
 * again, so treat it as read-only when it is also handed on.
 *
 * @param codec      the G.711 law of the payload (the packet's payload type, 0 or 8)
 * @param sequence   the RTP sequence number, 0..65535
 * @param timestamp  the RTP timestamp (8000 Hz), 0..2^32-1; a jump larger than the previous
 *                   frame's sample count means the caller sent nothing in between (silence)
 * @param ssrc       the caller's synchronisation source
 * @param marker     the RTP marker bit (start of a talk-spurt)
 * @param lostBefore how many packets just before this one never arrived or came too late
 * @param payload    the audio, one byte per sample (usually 160 = 20 ms)
 */
public record AudioFrame(AudioCodec codec, int sequence, long timestamp, long ssrc, boolean marker,
                         int lostBefore, byte[] payload) {
  public AudioFrame {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(payload, "payload");
    if (lostBefore < 0) {
      throw new IllegalArgumentException("lostBefore must be >= 0, got " + lostBefore);
    }
  }

  /** The payload in {@code target}'s encoding (the same array when it already is). */
  public byte[] payloadAs(AudioCodec target) {
    return codec.transcode(payload, target);
  }

  @Override
  public String toString() {
    return "AudioFrame[" + codec + ", seq=" + sequence + ", ts=" + timestamp + ", m=" + marker
        + ", lostBefore=" + lostBefore + ", " + payload.length + " bytes]";
  }
}
