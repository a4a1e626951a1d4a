package io.ringhook.media;

/**
 * ITU-T G.711 μ-law and A-law companding as static lookup tables.
 *
 * <p>The tables are computed once from the reference algorithm of ITU-T G.191 (the STL
 * {@code g711.c}), so every value matches the decoder output of G.711 tables 1a/2a scaled to 16
 * bits (A-law decodes to ±8..±32256, μ-law to 0..±32124). Encoding takes 16-bit linear PCM and
 * truncates it to the 13 (A-law) or 14 (μ-law) bits G.711 actually codes, exactly as the
 * reference does. PCMU⇄PCMA transcoding goes through linear PCM, which is what a gateway that
 * decodes and re-encodes does; the result differs from the direct G.711 table 3/4 mapping by at
 * most one quantisation step.
 */
public final class G711 {
  private static final short[] ULAW_TO_LINEAR = new short[256];
  private static final short[] ALAW_TO_LINEAR = new short[256];
  /** Indexed by the 14-bit sample ({@code pcm >> 2}) offset by 8192. */
  private static final byte[] LINEAR14_TO_ULAW = new byte[1 << 14];
  /** Indexed by the 13-bit sample ({@code pcm >> 3}) offset by 4096. */
  private static final byte[] LINEAR13_TO_ALAW = new byte[1 << 13];
  private static final byte[] ULAW_TO_ALAW = new byte[256];
  private static final byte[] ALAW_TO_ULAW = new byte[256];

  static {
    for (int code = 0; code < 256; code++) {
      ULAW_TO_LINEAR[code] = (short) ulawExpand(code);
      ALAW_TO_LINEAR[code] = (short) alawExpand(code);
    }
    for (int i = 0; i < LINEAR14_TO_ULAW.length; i++) {
      LINEAR14_TO_ULAW[i] = (byte) ulawCompress((i - 8192) << 2);
    }
    for (int i = 0; i < LINEAR13_TO_ALAW.length; i++) {
      LINEAR13_TO_ALAW[i] = (byte) alawCompress((i - 4096) << 3);
    }
    for (int code = 0; code < 256; code++) {
      ULAW_TO_ALAW[code] = linearToAlaw(ULAW_TO_LINEAR[code]);
      ALAW_TO_ULAW[code] = linearToUlaw(ALAW_TO_LINEAR[code]);
    }
  }

  private G711() {
  }

  /** Decodes one μ-law byte to 16-bit linear PCM. */
  public static short ulawToLinear(byte ulaw) {
    return ULAW_TO_LINEAR[ulaw & 0xFF];
  }

  /** Decodes one A-law byte to 16-bit linear PCM. */
  public static short alawToLinear(byte alaw) {
    return ALAW_TO_LINEAR[alaw & 0xFF];
  }

  /** Encodes one 16-bit linear PCM sample (clamped to the short range) to μ-law. */
  public static byte linearToUlaw(int pcm) {
    return LINEAR14_TO_ULAW[(clamp(pcm) >> 2) + 8192];
  }

  /** Encodes one 16-bit linear PCM sample (clamped to the short range) to A-law. */
  public static byte linearToAlaw(int pcm) {
    return LINEAR13_TO_ALAW[(clamp(pcm) >> 3) + 4096];
  }

  /** Transcodes one μ-law byte to A-law. */
  public static byte ulawToAlaw(byte ulaw) {
    return ULAW_TO_ALAW[ulaw & 0xFF];
  }

  /** Transcodes one A-law byte to μ-law. */
  public static byte alawToUlaw(byte alaw) {
    return ALAW_TO_ULAW[alaw & 0xFF];
  }

  private static int clamp(int pcm) {
    return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, pcm));
  }

  // ---- G.191 reference algorithm, used only to fill the tables ----

  /** G.191 {@code ulaw_compress} for one 16-bit sample. */
  static int ulawCompress(int pcm) {
    // One's complement for negatives, as the reference does, so -1 codes like 0.
    int absno = (pcm < 0 ? (~pcm) >> 2 : pcm >> 2) + 33;
    if (absno > 0x1FFF) {
      absno = 0x1FFF;
    }
    int segno = 1;
    for (int i = absno >> 6; i != 0; i >>= 1) {
      segno++;
    }
    int highNibble = 0x08 - segno;
    int lowNibble = 0x0F - ((absno >> segno) & 0x0F);
    int out = (highNibble << 4) | lowNibble;
    return pcm >= 0 ? out | 0x80 : out;
  }

  /** G.191 {@code ulaw_expand} for one code. */
  static int ulawExpand(int code) {
    int sign = code < 0x80 ? -1 : 1;
    int mantissa = ~code;
    int exponent = (mantissa >> 4) & 0x07;
    int segment = exponent + 1;
    mantissa &= 0x0F;
    int step = 4 << segment;
    return sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33);
  }

  /** G.191 {@code alaw_compress} for one 16-bit sample. */
  static int alawCompress(int pcm) {
    int ix = pcm < 0 ? (~pcm) >> 4 : pcm >> 4;
    if (ix > 15) {
      int exp = 1;
      while (ix > 16 + 15) {
        ix >>= 1;
        exp++;
      }
      ix -= 16;
      ix += exp << 4;
    }
    if (pcm >= 0) {
      ix |= 0x80;
    }
    return ix ^ 0x55;
  }

  /** G.191 {@code alaw_expand} for one code. */
  static int alawExpand(int code) {
    int ix = (code ^ 0x55) & 0x7F;
    int exp = ix >> 4;
    int mant = ix & 0x0F;
    if (exp > 0) {
      mant += 16;
    }
    mant = (mant << 4) + 0x08;
    if (exp > 1) {
      mant <<= exp - 1;
    }
    return code > 127 ? mant : -mant;
  }
}
