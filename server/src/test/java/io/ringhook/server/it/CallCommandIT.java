package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.CallCommandAccess;
import io.ringhook.sip.CallObserver.CallSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ringhook.jar call} (issue 17) against a real server: an answered call to the demo agent
 * exits 0 and reports the responses, the echoed audio and who hung up; a refused call exits 1 with
 * the refusal; nothing listening exits 1 quickly.
 */
@Timeout(60)
class CallCommandIT {
  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void anAnsweredCallReportsTheAudioThatCameBackAndExitsZero() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(500, "")));
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n  \"+15550000050\": {}\n"
        + "  \"+15550000051\": {inbound_webhook_url: \"" + hook.url("/no") + "\", webhook_retries: 0}\n"));
    String server = "127.0.0.1:" + ring.sipPort();

    Run ok = call("+15550000050", "--server", server, "--seconds", "1", "--tone", "600");
    assertEquals(0, ok.status(), ok.out());
    assertTrue(ok.out().contains(" 180 Ringing") && ok.out().contains(" 200 OK"), ok.out());
    // The demo agent echoes what reaches it once connected: most of the second, however busy the box.
    java.util.regex.Matcher heard = java.util.regex.Pattern
        .compile("received (\\d+) packets, [0-9.]+ s of audio, level -\\d+ dBFS").matcher(ok.out());
    assertTrue(heard.find(), ok.out());
    assertTrue(Integer.parseInt(heard.group(1)) >= 10, ok.out());
    assertTrue(ok.out().contains("sent 50 packets (1.0 s)"), ok.out());
    assertTrue(ok.out().contains("hung up by: us (BYE answered 200"), ok.out());
    CallSummary s = ring.awaitCallEnded(Duration.ofSeconds(5));
    assertEquals(io.ringhook.sip.Outcome.CONNECTED, s.outcome());
    assertEquals("+15005550006", s.call().fromNumber());

    Run refused = call("+15550000051", "--server", server, "--from", "+12345678912");
    assertEquals(1, refused.status(), refused.out());
    assertTrue(refused.out().contains("not answered: 480"), refused.out());

    Run nobody = call("+15550000050", "--server", "127.0.0.1:" + io.ringhook.server.peers.FreePorts.udpAndTcp());
    assertEquals(1, nobody.status(), nobody.out());
    assertTrue(nobody.out().contains("is ringhook listening there?"), nobody.out());

    Run bad = call("+15550000050");
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains("--server HOST[:PORT] is required"), bad.err());
  }

  private record Run(int status, String out, String err) {}

  private static Run call(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CallCommandAccess.main(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
