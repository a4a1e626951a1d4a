package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RtpCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  private static RtpCodec.Decoded decodeHex(String hex) {
    return RtpCodec.decode(Unpooled.wrappedBuffer(HEX.parseHex(hex.replace(" ", ""))));
  }

  @Test
  void encodesTheFixedHeaderBitForBit() {
    ByteBuf out = RtpCodec.encode(UnpooledByteBufAllocator.DEFAULT,
        new RtpPacket(true, 8, 0xABCD, 0xFFFFFFFFL, 0xDEADBEEFL, new byte[] {1, 2}));
    assertEquals("80 88 abcd ffffffff deadbeef 0102".replace(" ", ""), ByteBufUtil.hexDump(out));
    out.release();
  }

  @Test
  void roundTripsHeaderFieldsAtTheirLimits() {
    RtpPacket in = new RtpPacket(false, 127, 65535, 0xFFFFFFFFL, 0xFFFFFFFFL, new byte[160]);
    ByteBuf buf = RtpCodec.encode(UnpooledByteBufAllocator.DEFAULT, in);
    RtpPacket out = assertInstanceOf(RtpPacket.class, RtpCodec.decode(buf));
    assertEquals(in.marker(), out.marker());
    assertEquals(127, out.payloadType());
    assertEquals(65535, out.sequence());
    assertEquals(0xFFFFFFFFL, out.timestamp());
    assertEquals(0xFFFFFFFFL, out.ssrc());
    assertEquals(160, out.payload().length);
    assertEquals(0, buf.readerIndex(), "decode does not consume");
    buf.release();
  }

  @Test
  void skipsCsrcsExtensionAndPadding() {
    // CC=2, X=1 with one extension word, P=1 with 3 padding bytes; payload AABB.
    RtpPacket p = assertInstanceOf(RtpPacket.class, decodeHex(
        "B2 00 0001 00000010 00000001 11111111 22222222 BEDE0001 01020304 AABB 000003"));
    assertArrayEquals(new byte[] {(byte) 0xAA, (byte) 0xBB}, p.payload());
    assertEquals(1, p.sequence());
    assertEquals(16, p.timestamp());
    RtpPacket onlyPadding = assertInstanceOf(RtpPacket.class, decodeHex("A0 00 0001 00000010 00000001 0002"));
    assertEquals(0, onlyPadding.payload().length);
  }

  @Test
  void rejectsMalformedPacketsWithAReason() {
    assertMalformed("80 00 0001 00000010 000000", "shorter than");
    assertMalformed("40 00 0001 00000010 00000001 AA", "version 1");
    assertMalformed("00 00 0001 00000010 00000001 AA", "version 0");
    assertMalformed("83 00 0001 00000010 00000001 11111111", "CSRCs");
    assertMalformed("90 00 0001 00000010 00000001 BEDE", "extension");
    assertMalformed("90 00 0001 00000010 00000001 BEDE0002 01020304", "extension of 2 words");
    assertMalformed("A0 00 0001 00000010 00000001 AABB00", "padding count 0");
    assertMalformed("A0 00 0001 00000010 00000001 AA09", "padding count 9");
  }

  private static void assertMalformed(String hex, String reasonPart) {
    RtpCodec.Malformed m = assertInstanceOf(RtpCodec.Malformed.class, decodeHex(hex));
    assertTrue(m.reason().contains(reasonPart), m.reason());
  }

  @Test
  void recognisesMultiplexedRtcp() {
    RtpCodec.Rtcp rtcp = assertInstanceOf(RtpCodec.Rtcp.class, decodeHex("80 C8 0006 00000001 00000000 00000000"));
    assertEquals(200, rtcp.packetType());
  }

  @Test
  void neverThrowsOnGarbage() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(0, 64)];
      random.nextBytes(bytes);
      if (bytes.length > 0 && random.nextBoolean()) {
        bytes[0] = (byte) (0x80 | (bytes[0] & 0x3F)); // version 2 so the deeper checks run
      }
      RtpCodec.Decoded d = RtpCodec.decode(Unpooled.wrappedBuffer(bytes));
      assertTrue(d != null);
    }
  }

  @Test
  void packetRecordChecksItsFields() {
    assertThrows(IllegalArgumentException.class, () -> new RtpPacket(false, 128, 0, 0, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new RtpPacket(false, 0, 65536, 0, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new RtpPacket(false, 0, 0, -1, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new RtpPacket(false, 0, 0, 0, 1L << 32, new byte[0]));
  }
}
