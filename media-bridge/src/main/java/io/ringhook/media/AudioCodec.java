package io.ringhook.media;

/** A G.711 audio encoding as carried in RTP (RFC 3551 static payload types, 8000 Hz, mono). */
public enum AudioCodec {
  /** G.711 μ-law, payload type 0. */
  PCMU(0, (byte) 0xFF),
  /** G.711 A-law, payload type 8. */
  PCMA(8, (byte) 0xD5);

  /** Samples (and bytes) in one 20 ms packet at 8000 Hz. */
  public static final int FRAME_BYTES = 160;

  private final int payloadType;
  private final byte silence;

  AudioCodec(int payloadType, byte silence) {
    this.payloadType = payloadType;
    this.silence = silence;
  }

  /** The RTP payload type: 0 or 8. */
  public int payloadType() {
    return payloadType;
  }

  /** The code for digital silence (linear 0 or the nearest value to it). */
  public byte silence() {
    return silence;
  }

  /**
   * The codec for an RTP payload type.
   *
   * @throws IllegalArgumentException when {@code payloadType} is neither 0 nor 8
   */
  public static AudioCodec ofPayloadType(int payloadType) {
    return switch (payloadType) {
      case 0 -> PCMU;
      case 8 -> PCMA;
      default -> throw new IllegalArgumentException("not a G.711 payload type: " + payloadType);
    };
  }

  /** Whether {@code payloadType} is 0 or 8. */
  public static boolean isG711(int payloadType) {
    return payloadType == 0 || payloadType == 8;
  }

  /** Converts one byte of this encoding to {@code target}'s. */
  public byte transcode(byte code, AudioCodec target) {
    if (this == target) {
      return code;
    }
    return this == PCMU ? G711.ulawToAlaw(code) : G711.alawToUlaw(code);
  }

  /** Returns {@code audio} in {@code target}'s encoding: the same array when no change is needed. */
  public byte[] transcode(byte[] audio, AudioCodec target) {
    if (this == target) {
      return audio;
    }
    byte[] out = new byte[audio.length];
    for (int i = 0; i < audio.length; i++) {
      out[i] = transcode(audio[i], target);
    }
    return out;
  }
}
