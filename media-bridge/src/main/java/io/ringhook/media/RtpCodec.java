package io.ringhook.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * RTP packet encoding and decoding per RFC 3550 section 5.1.
 *
 * <p>Decoding never throws: anything that is not a well-formed version-2 RTP packet comes back as
 * {@link Malformed} with the reason, and RTCP multiplexed onto the RTP port (RFC 5761) as
 * {@link Rtcp}, so a datagram from the network can never break the pipeline.
 */
final class RtpCodec {
  /** The fixed header: V/P/X/CC, M/PT, sequence, timestamp, SSRC. */
  static final int HEADER_BYTES = 12;

  private RtpCodec() {
  }

  /** The outcome of {@link #decode}. */
  sealed interface Decoded permits RtpPacket, Malformed, Rtcp {
  }

  /** A datagram that is not a valid RTP packet. */
  record Malformed(String reason) implements Decoded {
  }

  /** An RTCP packet (payload types 200..204 as seen by RFC 5761 section 4), ignored by ringhook. */
  record Rtcp(int packetType) implements Decoded {
  }

  /** Decodes the readable bytes of {@code buf} without moving its reader index. */
  static Decoded decode(ByteBuf buf) {
    int start = buf.readerIndex();
    int length = buf.readableBytes();
    if (length < HEADER_BYTES) {
      return new Malformed("shorter than the 12-byte RTP header: " + length + " bytes");
    }
    int b0 = buf.getUnsignedByte(start);
    int b1 = buf.getUnsignedByte(start + 1);
    int version = b0 >> 6;
    if (version != 2) {
      return new Malformed("RTP version " + version + ", expected 2");
    }
    if (b1 >= 200 && b1 <= 204) {
      return new Rtcp(b1);
    }
    boolean padding = (b0 & 0x20) != 0;
    boolean extension = (b0 & 0x10) != 0;
    int csrcCount = b0 & 0x0F;
    int offset = HEADER_BYTES + 4 * csrcCount;
    if (offset > length) {
      return new Malformed(csrcCount + " CSRCs do not fit in " + length + " bytes");
    }
    if (extension) {
      if (offset + 4 > length) {
        return new Malformed("header extension header does not fit in " + length + " bytes");
      }
      int extWords = buf.getUnsignedShort(start + offset + 2);
      offset += 4 + 4 * extWords;
      if (offset > length) {
        return new Malformed("header extension of " + extWords + " words does not fit in "
            + length + " bytes");
      }
    }
    int end = length;
    if (padding) {
      int pad = buf.getUnsignedByte(start + length - 1);
      if (pad == 0 || offset + pad > length) {
        return new Malformed("padding count " + pad + " invalid for " + (length - offset)
            + " bytes after the header");
      }
      end -= pad;
    }
    byte[] payload = new byte[end - offset];
    buf.getBytes(start + offset, payload);
    return new RtpPacket((b1 & 0x80) != 0, b1 & 0x7F, buf.getUnsignedShort(start + 2),
        buf.getUnsignedInt(start + 4), buf.getUnsignedInt(start + 8), payload);
  }

  /** Writes a 12-byte header (no padding, extension or CSRCs) to {@code out}. */
  static void writeHeader(ByteBuf out, boolean marker, int payloadType, int sequence,
                          long timestamp, long ssrc) {
    out.writeByte(0x80);
    out.writeByte((marker ? 0x80 : 0) | (payloadType & 0x7F));
    out.writeShort(sequence & 0xFFFF);
    out.writeInt((int) timestamp);
    out.writeInt((int) ssrc);
  }

  /** Encodes a whole packet into a new buffer from {@code alloc}. */
  static ByteBuf encode(ByteBufAllocator alloc, RtpPacket packet) {
    ByteBuf out = alloc.buffer(HEADER_BYTES + packet.payload().length);
    writeHeader(out, packet.marker(), packet.payloadType(), packet.sequence(), packet.timestamp(),
        packet.ssrc());
    out.writeBytes(packet.payload());
    return out;
  }
}
