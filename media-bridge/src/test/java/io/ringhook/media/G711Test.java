package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class G711Test {

  private static short mu(int code) {
    return G711.ulawToLinear((byte) code);
  }

  private static short a(int code) {
    return G711.alawToLinear((byte) code);
  }

  @Test
  void ulawDecodesToTheReferenceValues() {
    // G.711 table 2a extremes (±8031 in 14-bit units = ±32124) and zero, both signs of zero.
    assertEquals(0, mu(0xFF));
    assertEquals(0, mu(0x7F));
    assertEquals(-32124, mu(0x00));
    assertEquals(32124, mu(0x80));
    // The first and last rows of the classic ulaw2linear table (Sun g711.c / G.191).
    assertEquals(-31100, mu(0x01));
    assertEquals(-30076, mu(0x02));
    assertEquals(-29052, mu(0x03));
    int[] lastRow = {120, 112, 104, 96, 88, 80, 72, 64, 56, 48, 40, 32, 24, 16, 8, 0};
    for (int i = 0; i < 16; i++) {
      assertEquals(lastRow[i], mu(0xF0 + i), "code 0x" + Integer.toHexString(0xF0 + i));
      assertEquals(-lastRow[i], mu(0x70 + i), "code 0x" + Integer.toHexString(0x70 + i));
    }
  }

  @Test
  void alawDecodesToTheReferenceValues() {
    // G.711 table 1a: ±1 and ±4032 in 12-bit units (×8 here); 0xD5/0x55 are the codes next to zero.
    assertEquals(8, a(0xD5));
    assertEquals(-8, a(0x55));
    assertEquals(32256, a(0xAA));
    assertEquals(-32256, a(0x2A));
    int[] firstRow = {-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736,
        -7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784};
    for (int i = 0; i < 16; i++) {
      assertEquals(firstRow[i], a(i), "code 0x" + Integer.toHexString(i));
      assertEquals(-firstRow[i], a(0x80 + i), "code 0x" + Integer.toHexString(0x80 + i));
    }
  }

  @Test
  void encodesTheReferenceValues() {
    assertEquals((byte) 0xFF, G711.linearToUlaw(0));
    assertEquals((byte) 0x7F, G711.linearToUlaw(-1)); // G.191 codes by one's complement
    assertEquals((byte) 0x80, G711.linearToUlaw(32767));
    assertEquals((byte) 0x00, G711.linearToUlaw(-32768));
    assertEquals((byte) 0x80, G711.linearToUlaw(100_000), "clamped");
    assertEquals((byte) 0xD5, G711.linearToAlaw(0));
    assertEquals((byte) 0x55, G711.linearToAlaw(-1));
    assertEquals((byte) 0xAA, G711.linearToAlaw(32767));
    assertEquals((byte) 0x2A, G711.linearToAlaw(-32768));
    assertEquals((byte) 0x2A, G711.linearToAlaw(-100_000), "clamped");
  }

  @Test
  void everyCodeRoundTrips() {
    for (int code = 0; code < 256; code++) {
      byte c = (byte) code;
      byte expectedMu = code == 0x7F ? (byte) 0xFF : c; // negative zero re-encodes as positive zero
      assertEquals(expectedMu, G711.linearToUlaw(G711.ulawToLinear(c)), "μ-law 0x" + Integer.toHexString(code));
      assertEquals(c, G711.linearToAlaw(G711.alawToLinear(c)), "A-law 0x" + Integer.toHexString(code));
    }
  }

  @Test
  void decodeTablesHoldDistinctLevelsSymmetricAroundZero() {
    int[] muLevels = new int[256];
    int[] aLevels = new int[256];
    for (int code = 0; code < 256; code++) {
      muLevels[code] = mu(code);
      aLevels[code] = a(code);
      assertEquals(-mu(code ^ 0x80), mu(code));
      assertEquals(-a(code ^ 0x80), a(code));
    }
    assertEquals(255, Arrays.stream(muLevels).distinct().count(), "μ-law: 256 codes, +0 and -0 coincide");
    assertEquals(256, Arrays.stream(aLevels).distinct().count());
  }

  @Test
  void encodingIsMonotonicAndWithinHalfAStep() {
    int previousMu = Integer.MIN_VALUE;
    int previousA = Integer.MIN_VALUE;
    for (int x = Short.MIN_VALUE; x <= Short.MAX_VALUE; x++) {
      int mu = G711.ulawToLinear(G711.linearToUlaw(x));
      int a = G711.alawToLinear(G711.linearToAlaw(x));
      assertTrue(mu >= previousMu, "μ-law not monotonic at " + x);
      assertTrue(a >= previousA, "A-law not monotonic at " + x);
      previousMu = mu;
      previousA = a;
      // Each segment's step is about 1/16 of its values (so half a step is about 1/32 of them),
      // plus the bits G.711 truncates; beyond the largest level the input is clipped.
      int magnitude = Math.abs(x);
      assertTrue(Math.abs(mu - x) <= magnitude / 30 + 16 || magnitude > 32124, "μ-law " + x + " -> " + mu);
      assertTrue(Math.abs(a - x) <= magnitude / 30 + 32 || magnitude > 32256, "A-law " + x + " -> " + a);
    }
  }

  @Test
  void transcodesThroughLinear() {
    assertEquals((byte) 0xD5, G711.ulawToAlaw((byte) 0xFF), "μ-law silence becomes A-law's");
    assertEquals((byte) 0x2A, G711.ulawToAlaw((byte) 0x00));
    assertEquals((byte) 0xAA, G711.ulawToAlaw((byte) 0x80));
    assertEquals((byte) 0xFE, G711.alawToUlaw((byte) 0xD5), "A-law +8 is μ-law +8");
    assertEquals((byte) 0x80, G711.alawToUlaw((byte) 0xAA), "beyond μ-law's range: clipped to its maximum");
    for (int code = 0; code < 256; code++) {
      byte c = (byte) code;
      int viaA = G711.alawToLinear(G711.ulawToAlaw(c));
      assertTrue(Math.abs(viaA - G711.ulawToLinear(c)) <= 1024, "μ→A 0x" + Integer.toHexString(code));
      int viaMu = G711.ulawToLinear(G711.alawToUlaw(c));
      int direct = G711.alawToLinear(c);
      assertTrue(Math.abs(viaMu - direct) <= 1024 || Math.abs(direct) > 32124, "A→μ 0x" + Integer.toHexString(code));
    }
  }

  @Test
  void audioCodecKnowsItsPayloadTypeSilenceAndTranscodes() {
    assertEquals(0, AudioCodec.PCMU.payloadType());
    assertEquals(8, AudioCodec.PCMA.payloadType());
    assertEquals(AudioCodec.PCMU, AudioCodec.ofPayloadType(0));
    assertEquals(AudioCodec.PCMA, AudioCodec.ofPayloadType(8));
    assertThrows(IllegalArgumentException.class, () -> AudioCodec.ofPayloadType(18));
    assertEquals(0, G711.ulawToLinear(AudioCodec.PCMU.silence()));
    assertEquals(8, G711.alawToLinear(AudioCodec.PCMA.silence()));
    byte[] mu = {(byte) 0xFF, (byte) 0x00, (byte) 0x80};
    assertSame(mu, AudioCodec.PCMU.transcode(mu, AudioCodec.PCMU));
    byte[] alaw = AudioCodec.PCMU.transcode(mu, AudioCodec.PCMA);
    assertEquals((byte) 0xD5, alaw[0]);
    assertEquals((byte) 0x2A, alaw[1]);
    assertEquals((byte) 0xAA, alaw[2]);
    assertEquals((byte) 0xFF, mu[0], "input untouched");
  }
}
