package io.ringhook.server.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests of the WAV reader/writer, the G.711 helper and the audio measurements. */
class AudioAnalysisTest {
  @TempDir
  Path tmp;

  @Test
  void sineRoundTripsThroughAWavFile() throws IOException {
    Path f = Wav.writeSine(tmp.resolve("tone.wav"), 1000, Duration.ofSeconds(1));
    assertEquals(44 + 16000, Files.size(f));
    Wav.Audio a = Wav.read(f);
    assertEquals(8000, a.sampleRate());
    assertEquals(8000, a.samples().length);
    assertEquals(1000, a.duration().toMillis());
    assertEquals(1000, AudioAnalysis.dominantFrequency(a), 0.1);
    assertEquals(0.5 / Math.sqrt(2), AudioAnalysis.rms(a), 0.005);
    assertEquals(0.5, AudioAnalysis.toneAmplitude(a, 1000), 0.01);
    assertTrue(AudioAnalysis.toneAmplitude(a, 440) < 0.01);
  }

  @Test
  void anEmptyRecordingIsA44ByteFileWithNoSamples() throws IOException {
    Path f = Wav.write(tmp.resolve("empty.wav"), new Wav.Audio(8000, new short[0]));
    assertEquals(44, Files.size(f));
    Wav.Audio a = Wav.read(f);
    assertEquals(0, a.samples().length);
    assertEquals(0, AudioAnalysis.rms(a));
    assertEquals(0, AudioAnalysis.dominantFrequency(a));
    assertEquals(List.of(), AudioAnalysis.toneSegments(a, 1000, AudioAnalysis.PACKET, 0.1));
  }

  @Test
  void aFileStillBeingWrittenIsReadToItsEnd() throws IOException {
    Path f = Wav.writeSine(tmp.resolve("open.wav"), 440, Duration.ofMillis(500));
    byte[] b = Files.readAllBytes(f);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0).putInt(40, 0); // sizes not yet patched
    Files.write(f, b);
    assertEquals(4000, Wav.read(f).samples().length);
  }

  @Test
  void notAWavOrNot16BitIsRejectedWithTheReason() throws IOException {
    Path junk = Files.writeString(tmp.resolve("junk.wav"), "hello");
    assertTrue(assertThrows(IOException.class, () -> Wav.read(junk)).getMessage().contains("not a RIFF/WAVE"));
    Path f = Wav.writeSine(tmp.resolve("t.wav"), 440, Duration.ofMillis(100));
    byte[] b = Files.readAllBytes(f);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(34, (short) 32);
    Files.write(f, b);
    assertTrue(assertThrows(IOException.class, () -> Wav.read(f)).getMessage().contains("16-bit"));
  }

  @Test
  void toneSegmentsFindWhereEachToneIs() {
    short[] s = concat(
        new short[4000], // 0.5 s silence
        Wav.sine(8000, 440, Duration.ofMillis(1000), 0.5),
        new short[4000],
        Wav.sine(8000, 1000, Duration.ofMillis(400), 0.3));
    Wav.Audio a = new Wav.Audio(8000, s);

    List<AudioAnalysis.Segment> at440 = AudioAnalysis.toneSegments(a, 440, AudioAnalysis.PACKET, 0.1);
    assertEquals(1, at440.size(), at440.toString());
    assertEquals(500, at440.get(0).start().toMillis(), 20);
    assertEquals(1500, at440.get(0).end().toMillis(), 20);

    List<AudioAnalysis.Segment> at1k = AudioAnalysis.toneSegments(a, 1000, AudioAnalysis.PACKET, 0.1);
    assertEquals(1, at1k.size(), at1k.toString());
    assertEquals(2000, at1k.get(0).start().toMillis(), 20);
    assertEquals(400, AudioAnalysis.toneDuration(a, 1000, 0.1).toMillis(), 20);

    List<AudioAnalysis.Segment> loud = AudioAnalysis.louderThan(a, AudioAnalysis.PACKET, 0.05);
    assertEquals(2, loud.size(), loud.toString());
    assertEquals(0, AudioAnalysis.windowRms(a, AudioAnalysis.PACKET)[0]);
  }

  @Test
  void aQuietToneOrAnotherToneAtTheSameLevelIsNotCounted() {
    short[] tone = Wav.sine(8000, 1000, Duration.ofMillis(400), 0.02);
    assertEquals(List.of(), AudioAnalysis.toneSegments(new Wav.Audio(8000, tone), 1000, AudioAnalysis.PACKET, 0.1));
    short[] mix = Wav.sine(8000, 1000, Duration.ofMillis(400), 0.3);
    short[] other = Wav.sine(8000, 1700, Duration.ofMillis(400), 0.45);
    for (int i = 0; i < mix.length; i++) {
      mix[i] = (short) (mix[i] + other[i]);
    }
    assertEquals(List.of(), AudioAnalysis.toneSegments(new Wav.Audio(8000, mix), 1000, AudioAnalysis.PACKET, 0.1));
  }

  @Test
  void g711KeepsTheToneAndItsLevel() {
    short[] pcm = Wav.sine(8000, 440, Duration.ofMillis(500), 0.5);
    byte[] ulaw = G711.encodeUlaw(pcm, 0, pcm.length);
    short[] back = new short[ulaw.length];
    for (int i = 0; i < ulaw.length; i++) {
      back[i] = G711.ulawToLinear(ulaw[i]);
    }
    Wav.Audio a = new Wav.Audio(8000, back);
    assertEquals(440, AudioAnalysis.dominantFrequency(a), 0.1);
    assertEquals(0.354, AudioAnalysis.rms(a), 0.01);
    assertEquals(0, G711.ulawToLinear(G711.linearToUlaw((short) 0)));
    assertEquals((byte) 0xFF, G711.linearToUlaw((short) 0));
    assertEquals(-8, G711.alawToLinear((byte) 0x55));
    assertEquals(32124, G711.ulawToLinear((byte) 0x80));
  }

  private static short[] concat(short[]... parts) {
    int n = 0;
    for (short[] p : parts) {
      n += p.length;
    }
    short[] out = new short[n];
    int at = 0;
    for (short[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
