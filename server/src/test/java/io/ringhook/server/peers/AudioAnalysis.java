package io.ringhook.server.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measurements on recorded audio that tests assert on: level (RMS), the dominant frequency, and
 * where in time a tone is present, window by window.
 *
 * <p>Levels are fractions of full scale (a full-scale square wave is 1.0, a sine of peak 0.5 has
 * RMS 0.354). Tone detection uses the Goertzel algorithm at the exact frequency asked, so it
 * needs no FFT and tolerates tones that do not fit a window a whole number of times.
 */
public final class AudioAnalysis {
  /** The analysis window matching one 20 ms RTP packet. */
  public static final Duration PACKET = Duration.ofMillis(20);

  private AudioAnalysis() {}

  /** A stretch of the audio, from {@code start} (inclusive) to {@code end} (exclusive). */
  public record Segment(Duration start, Duration end) {
    public Duration length() {
      return end.minus(start);
    }

    @Override
    public String toString() {
      return "[" + start.toMillis() + "-" + end.toMillis() + " ms]";
    }
  }

  /** Returns the RMS level of all of {@code audio} (0 for empty audio). */
  public static double rms(Wav.Audio audio) {
    return rms(audio.samples(), 0, audio.samples().length);
  }

  /** Returns the RMS level of {@code samples[from, to)} (0 for an empty range). */
  public static double rms(short[] samples, int from, int to) {
    checkRange(samples, from, to);
    if (to == from) {
      return 0;
    }
    double sum = 0;
    for (int i = from; i < to; i++) {
      double v = samples[i] / 32768.0;
      sum += v * v;
    }
    return Math.sqrt(sum / (to - from));
  }

  /**
   * Returns the amplitude (peak, fraction of full scale) of the {@code hz} component of
   * {@code samples[from, to)}: a pure sine of peak A at {@code hz} gives about A.
   */
  public static double toneAmplitude(short[] samples, int from, int to, int sampleRate, double hz) {
    checkRange(samples, from, to);
    int n = to - from;
    if (n == 0) {
      return 0;
    }
    double w = 2 * Math.PI * hz / sampleRate;
    double coeff = 2 * Math.cos(w);
    double s1 = 0;
    double s2 = 0;
    for (int i = from; i < to; i++) {
      double s0 = samples[i] / 32768.0 + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    return 2 * Math.sqrt(Math.max(0, power)) / n;
  }

  /** Returns the amplitude of the {@code hz} component over the whole of {@code audio}. */
  public static double toneAmplitude(Wav.Audio audio, double hz) {
    return toneAmplitude(audio.samples(), 0, audio.samples().length, audio.sampleRate(), hz);
  }

  /**
   * Returns the frequency, in steps of 5 Hz from 50 Hz to just below Nyquist, with the largest
   * component in {@code audio}; 0 for empty or silent audio. Analyses at most the middle 4 s.
   */
  public static double dominantFrequency(Wav.Audio audio) {
    short[] s = audio.samples();
    int max = audio.sampleRate() * 4;
    int from = s.length > max ? (s.length - max) / 2 : 0;
    int to = Math.min(s.length, from + max);
    if (rms(s, from, to) < 1e-4) {
      return 0;
    }
    double best = 0;
    double bestAmp = -1;
    for (double hz = 50; hz < audio.sampleRate() / 2.0 - 5; hz += 5) {
      double a = toneAmplitude(s, from, to, audio.sampleRate(), hz);
      if (a > bestAmp) {
        bestAmp = a;
        best = hz;
      }
    }
    return best;
  }

  /** Returns the RMS level of each consecutive {@code window} of {@code audio} (a partial tail is dropped). */
  public static double[] windowRms(Wav.Audio audio, Duration window) {
    int n = windowSamples(audio, window);
    double[] out = new double[audio.samples().length / n];
    for (int i = 0; i < out.length; i++) {
      out[i] = rms(audio.samples(), i * n, (i + 1) * n);
    }
    return out;
  }

  /** Returns the stretches where the RMS level of each {@code window} is above {@code threshold}. */
  public static List<Segment> louderThan(Wav.Audio audio, Duration window, double threshold) {
    double[] levels = windowRms(audio, window);
    boolean[] on = new boolean[levels.length];
    for (int i = 0; i < levels.length; i++) {
      on[i] = levels[i] > threshold;
    }
    return segments(on, window);
  }

  /**
   * Returns the stretches where a tone at {@code hz} is present, judged per {@code window}: its
   * amplitude is at least {@code minAmplitude} and it carries at least half the window's energy
   * (so noise or another tone at the same level does not count).
   */
  public static List<Segment> toneSegments(Wav.Audio audio, double hz, Duration window, double minAmplitude) {
    int n = windowSamples(audio, window);
    short[] s = audio.samples();
    boolean[] on = new boolean[s.length / n];
    for (int i = 0; i < on.length; i++) {
      double amp = toneAmplitude(s, i * n, (i + 1) * n, audio.sampleRate(), hz);
      double total = rms(s, i * n, (i + 1) * n);
      on[i] = amp >= minAmplitude && (amp * amp / 2) >= 0.5 * total * total;
    }
    return segments(on, window);
  }

  /** Returns the total time a tone at {@code hz} is present in 20 ms windows, amplitude at least {@code minAmplitude}. */
  public static Duration toneDuration(Wav.Audio audio, double hz, double minAmplitude) {
    Duration sum = Duration.ZERO;
    for (Segment seg : toneSegments(audio, hz, PACKET, minAmplitude)) {
      sum = sum.plus(seg.length());
    }
    return sum;
  }

  private static List<Segment> segments(boolean[] on, Duration window) {
    List<Segment> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= on.length; i++) {
      boolean now = i < on.length && on[i];
      if (now && start < 0) {
        start = i;
      } else if (!now && start >= 0) {
        out.add(new Segment(window.multipliedBy(start), window.multipliedBy(i)));
        start = -1;
      }
    }
    return out;
  }

  private static int windowSamples(Wav.Audio audio, Duration window) {
    int n = audio.samplesIn(window);
    if (n < 1) {
      throw new IllegalArgumentException("window " + window + " holds no sample at " + audio.sampleRate() + " Hz");
    }
    return n;
  }

  private static void checkRange(short[] samples, int from, int to) {
    if (from < 0 || to > samples.length || from > to) {
      throw new IllegalArgumentException("range [" + from + ", " + to + ") outside 0.." + samples.length);
    }
  }
}
