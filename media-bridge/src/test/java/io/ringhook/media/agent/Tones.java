package io.ringhook.media.agent;

import io.ringhook.media.G711;

/** Test audio: μ-law tones made with the project's own G.711 encoder. */
final class Tones {
  private Tones() {}

  /** {@code samples} samples of a sine of {@code hz} at amplitude 8000, μ-law. */
  static byte[] mulaw(int hz, int samples) {
    byte[] b = new byte[samples];
    for (int i = 0; i < samples; i++) {
      b[i] = G711.linearToUlaw((int) Math.round(8000 * Math.sin(2 * Math.PI * hz * i / 8000.0)));
    }
    return b;
  }
}
