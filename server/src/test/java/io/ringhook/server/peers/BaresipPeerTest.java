package io.ringhook.server.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Proves the baresip harness on its own: one baresip calls another, no ringhook involved. */
class BaresipPeerTest {
  private static final Duration FIVE = Duration.ofSeconds(5);

  @TempDir
  Path tmp;

  @Test
  @Timeout(30)
  void callerPlaysWavCalleeAnswersAndBothRecordTheOther() throws Exception {
    Path tone = Wav.writeSine(tmp.resolve("1k.wav"), 1000, Duration.ofSeconds(3));
    try (BaresipPeer b = BaresipPeer.builder("b").user("+15550001").autoAnswer().sine(440).start();
        BaresipPeer a = BaresipPeer.builder("a").user("alice").audioFile(tone).start()) {
      a.dial(b.uri("+15550001"));

      a.awaitEvent("CALL_RINGING", FIVE);
      BaresipEvent established = a.awaitEvent("CALL_ESTABLISHED", FIVE);
      assertEquals("outgoing", established.direction());
      assertEquals("incoming", b.awaitEvent("CALL_ESTABLISHED", FIVE).direction());
      // The WAV lasts 3 s, then A hangs up (BYE): B sees it as the peer resetting the call.
      assertEquals("end of file", a.awaitEvent("CALL_CLOSED", FIVE).param());
      assertEquals("Connection reset by peer", b.awaitEvent("CALL_CLOSED", FIVE).param());
      a.awaitLine(Pattern.compile("Call with .* terminated \\(duration: [2-4] secs\\)"), FIVE);

      Wav.Audio bHeard = b.heard();
      assertTrue(bHeard.duration().toMillis() > 2000, "B heard " + bHeard);
      assertEquals(1000, AudioAnalysis.dominantFrequency(bHeard), 15, "B's recording");
      assertTrue(AudioAnalysis.rms(bHeard) > 0.2, "B's level " + AudioAnalysis.rms(bHeard));
      Duration toneTime = AudioAnalysis.toneDuration(bHeard, 1000, 0.2);
      assertTrue(toneTime.toMillis() > 2500, "1 kHz present for " + toneTime);

      Wav.Audio aHeard = a.heard();
      assertEquals(440, AudioAnalysis.dominantFrequency(aHeard), 15, "A's recording");
      assertEquals(1000, AudioAnalysis.dominantFrequency(a.sent()), 15, "A's sent recording");
    }
  }

  @Test
  @Timeout(20)
  void unknownUserIsRefusedWith404() throws Exception {
    try (BaresipPeer b = BaresipPeer.builder("b404").user("+15550001").autoAnswer().start();
        BaresipPeer a = BaresipPeer.builder("a404").silence(Duration.ofSeconds(10)).start()) {
      a.dial(b.uri("+15559999"));
      BaresipEvent closed = a.awaitEvent("CALL_CLOSED", FIVE);
      assertEquals(404, closed.statusCode(), closed.toString());
      assertTrue(b.pollEvent("CALL_ESTABLISHED", Duration.ofMillis(200)).isEmpty());
    }
  }

  @Test
  @Timeout(20)
  void manualAnswerRingsUntilAcceptedAndHangupSendsBye() throws Exception {
    try (BaresipPeer b = BaresipPeer.builder("bman").user("bob").start();
        BaresipPeer a = BaresipPeer.builder("aman").sipTrace(true).start()) {
      a.dial(b.uri("bob") + ";transport=tcp");
      b.awaitEvent("CALL_INCOMING", FIVE);
      a.awaitEvent("CALL_RINGING", FIVE);
      b.accept();
      a.awaitEvent("CALL_ESTABLISHED", FIVE);
      b.awaitEvent("CALL_ESTABLISHED", FIVE);
      b.hangup();
      assertEquals("Connection reset by peer", a.awaitEvent("CALL_CLOSED", FIVE).param());
      a.awaitLine(Pattern.compile("^BYE sip:"), FIVE); // from the -s trace
      // Silence both ways: recordings exist and are quiet.
      assertTrue(AudioAnalysis.rms(a.heard()) < 0.01, "A's level");
    }
  }

  @Test
  @Timeout(10)
  void aWaitThatTimesOutKeepsTheDirectoryAndExplains() throws Exception {
    BaresipPeer a = BaresipPeer.builder("atimeout").start();
    Path dir = a.dir();
    try {
      AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
          () -> a.awaitEvent("CALL_ESTABLISHED", Duration.ofMillis(100)));
      assertTrue(e.getMessage().contains("baresip is ready."), e.getMessage());
    } finally {
      a.close();
    }
    assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("out.log")), "kept " + dir);
    try (var walk = java.nio.file.Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
