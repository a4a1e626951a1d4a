package io.ringhook.server.peers;

/**
 * G.711 μ-law and A-law conversion (ITU-T G.711) for the test peers, independent of the
 * server's own codec so that a bug there cannot hide itself.
 */
public final class G711 {
  private static final int BIAS = 0x84;
  private static final int CLIP = 32635;

  private G711() {}

  /** Encodes one 16-bit linear sample to μ-law. */
  public static byte linearToUlaw(short sample) {
    int s = sample;
    int sign = (s >> 8) & 0x80;
    if (sign != 0) {
      s = -s;
    }
    s = Math.min(s, CLIP) + BIAS;
    int exponent = 7;
    for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) {
      exponent--;
    }
    int mantissa = (s >> (exponent + 3)) & 0x0F;
    return (byte) ~(sign | (exponent << 4) | mantissa);
  }

  /** Decodes one μ-law byte to a 16-bit linear sample. */
  public static short ulawToLinear(byte ulaw) {
    int u = ~ulaw & 0xFF;
    int t = ((u & 0x0F) << 3) + BIAS;
    t <<= (u & 0x70) >> 4;
    return (short) ((u & 0x80) != 0 ? BIAS - t : t - BIAS);
  }

  /** Decodes one A-law byte to a 16-bit linear sample. */
  public static short alawToLinear(byte alaw) {
    int a = (alaw ^ 0x55) & 0xFF;
    int t = (a & 0x0F) << 4;
    int seg = (a & 0x70) >> 4;
    if (seg == 0) {
      t += 8;
    } else {
      t = (t + 0x108) << (seg - 1);
    }
    return (short) ((a & 0x80) != 0 ? t : -t);
  }

  /** Encodes {@code pcm} to μ-law bytes. */
  public static byte[] encodeUlaw(short[] pcm, int from, int to) {
    byte[] out = new byte[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = linearToUlaw(pcm[i]);
    }
    return out;
  }
}
