package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import io.ringhook.testing.Await;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sip.header.ExtensionHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The inbound call webhook end to end through SIP (issue 3): a scripted JAIN-SIP caller calls the
 * real server, a real local HTTP server plays the customer's webhook, and the assertions are on
 * what each of them saw.
 */
@Timeout(30)
class WebhookCallIT {
  private static final Duration WAIT = Duration.ofSeconds(10); // generous: a loaded 2-core CI box
  private static final String FROM = "sip:+12345678912@127.0.0.1";
  private static final String NUMBER = "+12345678913";
  private static final String SECRET = "whsec_it_" + UUID.randomUUID();
  private static final String BODY =
      "{\"event\":\"inbound_call\",\"from_number\":\"+12345678912\",\"to_number\":\"+12345678913\"}";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void aWebhookThatReturnsVariablesGetsTheCallAnsweredWithExactlyThoseVariables() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(200, "{\"dynamic_variables\":{\"first_name\":\"Jim\",\"vip\":true}}")));
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"
        + "    webhook_secret: ${INBOUND_SECRET}\n",
        Map.of("INBOUND_SECRET", SECRET)));
    SipTestClient client = resources.add(SipTestClient.builder("variables").start());
    RtpPeer rtp = resources.add(RtpPeer.open("variables"));

    SipTestCall call = client.invite(ring.uri(NUMBER)).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    Response ringing = call.awaitResponse(180, WAIT);
    call.awaitResponse(200, WAIT);
    call.ack();
    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);

    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    assertEquals(Map.of("first_name", "Jim", "vip", "true"), summary.variables());

    List<TestWebhook.Received> requests = hook.requests();
    assertEquals(1, requests.size(), requests.toString());
    TestWebhook.Received r = requests.get(0);
    assertEquals("POST", r.method());
    assertEquals("/inbound", r.target());
    assertArrayEquals(BODY.getBytes(StandardCharsets.UTF_8), r.body(), "body was " + r.bodyText());
    assertEquals("application/json", r.header("Content-Type"));
    assertTrue(r.header("User-Agent") != null && r.header("User-Agent").matches("ringhook/\\S+"),
        "User-Agent: " + r.header("User-Agent"));
    assertEquals("1", r.header("X-Ringhook-Attempt"));
    assertEquals(summary.call().callId(), r.header("X-Ringhook-Call-Id"));
    // The caller's side carries the same id, so a carrier's trace and the webhook log meet.
    assertEquals(summary.call().callId(), headerValue(ringing, "X-Ringhook-Call-Id"));
    assertEquals(r.header("Idempotency-Key"), UUID.fromString(r.header("Idempotency-Key")).toString());
    assertSignedAsDocumented(SECRET, r);
  }

  @Test
  void aWebhookThatKeepsFailingGets480AfterFourAttemptsWithOneIdempotencyKey() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(500, "{\"error\":\"down\"}")));
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"
        + "    webhook_timeout: 2s\n"
        + "    webhook_backoff: [50ms]\n"));
    SipTestClient client = resources.add(SipTestClient.builder("failing").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from(FROM).send();
    call.awaitResponse(180, WAIT);
    Response refused = call.awaitResponse(480, WAIT.plusSeconds(10));
    CallSummary summary = ring.awaitCallEnded(WAIT);

    List<TestWebhook.Received> requests = hook.awaitRequests(4, WAIT);
    // The 480 came after the last attempt; a fifth one would be a bug, and it would follow at once.
    assertTrue(call.pollResponse(Request.INVITE, 200, Duration.ofMillis(300)).isEmpty(), client.describe());
    requests = hook.requests();
    assertEquals(4, requests.size(), requests.toString());
    assertEquals(List.of("1", "2", "3", "4"), requests.stream().map(q -> q.header("X-Ringhook-Attempt")).toList());
    assertEquals(1, requests.stream().map(q -> q.header("Idempotency-Key")).distinct().count(), requests.toString());
    assertEquals(1, requests.stream().map(q -> q.header("X-Ringhook-Call-Id")).distinct().count(), requests.toString());
    for (TestWebhook.Received q : requests) {
      assertArrayEquals(BODY.getBytes(StandardCharsets.UTF_8), q.body(), "body of " + q);
      assertNull(q.header("X-Ringhook-Signature"), "unsigned without a webhook_secret: " + q);
    }

    assertTrue(client.responses().stream().noneMatch(x -> x.getStatusCode() == 200), client.describe());
    // The carrier learns the class of the refusal, never what the CRM answered (issue 13, item 6).
    assertEquals("Reason: SIP;cause=480;text=\"webhook_failed\"", String.valueOf(refused.getHeader("Reason")).strip(),
        refused.toString());
    assertNull(refused.getHeader("Warning"), refused.toString());
    assertFalse(refused.toString().contains("down") || refused.toString().contains("HTTP 500"), refused.toString());
    assertEquals(Outcome.WEBHOOK_FAILED, summary.outcome(), summary.toString());
    assertEquals(480, summary.finalStatus());
    assertTrue(summary.answered().isEmpty(), summary.toString());
    assertEquals(Map.of(), summary.variables());
    assertEquals(0, ring.server().activeCalls());
  }

  @Test
  void aCancelDuringTheBackoffStopsTheRetries() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(503, "")));
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"
        + "    webhook_backoff: [1s]\n"));
    SipTestClient client = resources.add(SipTestClient.builder("backoff").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from(FROM).send();
    call.awaitResponse(180, WAIT);
    hook.awaitRequests(1, WAIT);
    call.cancel();
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    call.awaitResponse(487, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CANCELLED, summary.outcome(), summary.toString());

    // The second attempt was due 1 s after the first; give it half as long again to show up.
    long due = hook.requests().get(0).receivedNanos() + Duration.ofMillis(1500).toNanos();
    Await.holds("no attempt after the CANCEL", Duration.ofNanos(Math.max(0, due - System.nanoTime())),
        () -> hook.requests().size() == 1);
  }

  @Test
  void aNumberWithoutWebhookIsAnsweredWithNoRequest() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(200, "{}")));
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"
        + "  \"+442071838750\": {}\n"));
    SipTestClient client = resources.add(SipTestClient.builder("nowebhook").start());

    // Listed without a webhook, and not listed at all.
    for (String number : List.of("+442071838750", "+15550001")) {
      SipTestCall call = client.invite(ring.uri(number)).from(FROM).send();
      call.awaitResponse(200, WAIT);
      call.ack();
      call.bye();
      call.awaitResponse(Request.BYE, 200, WAIT);
      CallSummary summary = ring.awaitCallEnded(WAIT);
      assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
      assertEquals(number, summary.call().toNumber());
      assertEquals(Map.of(), summary.variables());
    }
    assertEquals(List.of(), hook.requests());
  }

  /** Verifies X-Ringhook-Signature with the recipe in docs/webhook.md, over the raw bytes received. */
  static void assertSignedAsDocumented(String secret, TestWebhook.Received request) throws Exception {
    String header = request.header("X-Ringhook-Signature");
    assertNotNull(header, "no X-Ringhook-Signature on " + request);
    Map<String, String> parts = new HashMap<>();
    for (String p : header.split(",")) {
      int eq = p.indexOf('=');
      if (eq > 0) {
        parts.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
      }
    }
    String t = parts.getOrDefault("t", "");
    assertTrue(t.matches("\\d+"), "t in " + header);
    long skew = Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(t));
    assertTrue(skew <= 300, "t is " + skew + " s away from now: " + header);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
    byte[] expected = mac.doFinal(request.body());
    byte[] given = HexFormat.of().parseHex(parts.getOrDefault("v1", ""));
    assertTrue(MessageDigest.isEqual(expected, given),
        "v1 must be HMAC-SHA256(secret, t.body): got " + header + ", expected v1=" + HexFormat.of().formatHex(expected));
  }

  private static String headerValue(Response response, String name) {
    var h = response.getHeader(name);
    assertNotNull(h, name + " missing from " + response);
    return h instanceof ExtensionHeader e ? e.getValue() : h.toString().replaceFirst("^[^:]*:\\s*", "").strip();
  }
}
