package io.ringhook.server.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A reader and writer of 16-bit PCM WAV files, and a generator of test tones.
 *
 * <p>Writes the format baresip's {@code aufile} source needs (16-bit, mono, 8 kHz unless told
 * otherwise) and reads what its {@code sndfile} recorder writes, including the 44-byte file of a
 * call that received no audio and a file still being written (data size not yet patched in the
 * header: everything after the header is taken).
 */
public final class Wav {
  /** The sample rate of G.711 telephony audio. */
  public static final int RATE_8K = 8000;

  private Wav() {}

  /** Mono 16-bit audio: {@code samples} at {@code sampleRate} Hz. */
  public record Audio(int sampleRate, short[] samples) {
    public Audio {
      if (sampleRate <= 0) {
        throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
      }
    }

    /** Returns how long the audio lasts. */
    public Duration duration() {
      return Duration.ofNanos(samples.length * 1_000_000_000L / sampleRate);
    }

    /** Returns the number of samples in {@code d} at this rate. */
    public int samplesIn(Duration d) {
      return (int) (d.toNanos() * sampleRate / 1_000_000_000L);
    }

    @Override
    public String toString() {
      return "Audio[" + sampleRate + " Hz, " + samples.length + " samples, " + duration().toMillis() + " ms]";
    }
  }

  /** Returns a sine of {@code hz} lasting {@code duration}, peak {@code amplitude} of full scale (0..1]. */
  public static short[] sine(int sampleRate, double hz, Duration duration, double amplitude) {
    if (hz <= 0 || hz >= sampleRate / 2.0) {
      throw new IllegalArgumentException("hz must be in (0, " + sampleRate / 2 + "), was " + hz);
    }
    if (amplitude <= 0 || amplitude > 1) {
      throw new IllegalArgumentException("amplitude must be in (0, 1], was " + amplitude);
    }
    int n = (int) (duration.toNanos() * sampleRate / 1_000_000_000L);
    short[] out = new short[n];
    double step = 2 * Math.PI * hz / sampleRate;
    for (int i = 0; i < n; i++) {
      out[i] = (short) Math.round(Math.sin(step * i) * amplitude * Short.MAX_VALUE);
    }
    return out;
  }

  /** Writes an 8 kHz mono 16-bit WAV of a sine at {@code hz}, peak half of full scale. */
  public static Path writeSine(Path file, double hz, Duration duration) throws IOException {
    return write(file, new Audio(RATE_8K, sine(RATE_8K, hz, duration, 0.5)));
  }

  /** Writes an 8 kHz mono 16-bit WAV of digital silence. */
  public static Path writeSilence(Path file, Duration duration) throws IOException {
    return write(file, new Audio(RATE_8K, new short[(int) (duration.toMillis() * RATE_8K / 1000)]));
  }

  /** Writes {@code audio} as a canonical 44-byte-header PCM WAV. */
  public static Path write(Path file, Audio audio) throws IOException {
    short[] s = audio.samples();
    ByteBuffer b = ByteBuffer.allocate(44 + s.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ascii("RIFF")).putInt(36 + s.length * 2).put(ascii("WAVE"));
    b.put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(audio.sampleRate()).putInt(audio.sampleRate() * 2).putShort((short) 2).putShort((short) 16);
    b.put(ascii("data")).putInt(s.length * 2);
    for (short v : s) {
      b.putShort(v);
    }
    Files.write(file, b.array());
    return file;
  }

  /**
   * Reads a 16-bit PCM WAV. Multi-channel files are mixed down to mono, because tests only ask
   * what was heard, not on which channel.
   */
  public static Audio read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 12 || !"RIFF".equals(tag(b, 0)) || !"WAVE".equals(tag(b, 8))) {
      throw new IOException(file + ": not a RIFF/WAVE file (" + bytes.length + " bytes)");
    }
    int channels = 0;
    int rate = 0;
    int pos = 12;
    while (pos + 8 <= bytes.length) {
      String id = tag(b, pos);
      long size = Integer.toUnsignedLong(b.getInt(pos + 4));
      int body = pos + 8;
      if ("fmt ".equals(id)) {
        int format = Short.toUnsignedInt(b.getShort(body));
        channels = b.getShort(body + 2);
        rate = b.getInt(body + 4);
        int bits = b.getShort(body + 14);
        // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which libsndfile may write for the same PCM data.
        if ((format != 1 && format != 0xFFFE) || bits != 16 || channels < 1) {
          throw new IOException(file + ": only 16-bit PCM is supported (format " + format + ", "
              + bits + " bits, " + channels + " channels)");
        }
      } else if ("data".equals(id)) {
        if (rate == 0) {
          throw new IOException(file + ": data chunk before fmt chunk");
        }
        // A recorder that has not closed the file yet leaves size 0 (or garbage): take the rest.
        long available = bytes.length - body;
        long len = size == 0 || size > available ? available : size;
        int frames = (int) (len / (2L * channels));
        short[] out = new short[frames];
        for (int i = 0; i < frames; i++) {
          int sum = 0;
          for (int c = 0; c < channels; c++) {
            sum += b.getShort(body + (i * channels + c) * 2);
          }
          out[i] = (short) (sum / channels);
        }
        return new Audio(rate, out);
      }
      pos = (int) Math.min(bytes.length, body + size + (size & 1));
    }
    if (rate == 0) {
      throw new IOException(file + ": no fmt chunk");
    }
    return new Audio(rate, new short[0]);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static String tag(ByteBuffer b, int at) {
    byte[] t = new byte[4];
    b.get(at, t);
    return new String(t, java.nio.charset.StandardCharsets.US_ASCII);
  }
}
