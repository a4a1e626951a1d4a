package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.respond;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.ScriptedServer.status;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook contract, outcome by outcome, against a real local HTTP server. */
class WebhookClientTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
  static final String FROM = "+12345678912";
  static final String TO = "+12345678913";
  static final String EXACT_BODY =
      "{\"event\":\"inbound_call\",\"from_number\":\"+12345678912\",\"to_number\":\"+12345678913\"}";

  /** Short waits so the suite stays fast; generous enough for a loaded 2-core machine. */
  static final WebhookPolicy FAST =
      new WebhookPolicy(Duration.ofSeconds(5), 3, List.of(Duration.ofMillis(20)), 65536);

  private final WebhookClient client =
      WebhookClient.builder().clock(CLOCK).version("1.2.3").build();
  private ScriptedServer server;

  @AfterEach
  void tearDown() {
    client.close();
    if (server != null) {
      server.close();
    }
  }

  static WebhookRequest request(URI url) {
    return WebhookRequest.unsigned("a84b4c76e66710@10.0.0.1", FROM, TO, url);
  }

  static WebhookResult await(CompletableFuture<WebhookResult> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private WebhookResult.Failure callExpectingFailure(WebhookPolicy policy) throws Exception {
    WebhookResult r = await(client.call(request(server.url("/hook")), policy));
    return assertInstanceOf(WebhookResult.Failure.class, r, () -> "expected a failure: " + r);
  }

  @Test
  void twoHundredWithVariablesConnectsWithConvertedVariables() throws Exception {
    server =
        ScriptedServer.start(
            sequence(
                json(200,
                    "{\"dynamic_variables\":{\"name\":\"Ada\",\"age\":42,\"vip\":true,"
                        + "\"balance\":19.90,\"gone\":null,\"address\":{\"city\":\"Paris\","
                        + "\"zip\":\"75001\"},\"tags\":[\"a\",1,null],\"big\":123456789012345678901,"
                        + "\"empty\":\"\"},\"other\":\"ignored\"}")));

    WebhookResult r = await(client.call(request(server.url("/hook")), FAST));

    WebhookResult.Success s = assertInstanceOf(WebhookResult.Success.class, r);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("name", "Ada");
    expected.put("age", "42");
    expected.put("vip", "true");
    expected.put("balance", "19.90");
    expected.put("address", "{\"city\":\"Paris\",\"zip\":\"75001\"}");
    expected.put("tags", "[\"a\",1,null]");
    expected.put("big", "123456789012345678901");
    expected.put("empty", "");
    assertEquals(expected, s.variables());
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(s.variables().keySet()));
    assertEquals(1, s.attempts().size());
    assertEquals(OptionalInt.of(200), s.lastAttempt().status());
    assertEquals(CLOCK.instant(), s.lastAttempt().start());
    assertEquals("webhook 200 on attempt 1, 8 variables", s.summary());
  }

  @Test
  void emptyBodyAndObjectWithoutVariablesConnectWithNoVariables() throws Exception {
    server = ScriptedServer.start(sequence(status(204), json(200, " {\"ok\":true} ")));

    WebhookResult first = await(client.call(request(server.url("/hook")), FAST));
    WebhookResult second = await(client.call(request(server.url("/hook")), FAST));

    assertEquals(Map.of(), assertInstanceOf(WebhookResult.Success.class, first).variables());
    assertEquals(Map.of(), assertInstanceOf(WebhookResult.Success.class, second).variables());
  }

  @Test
  void fiveHundredTwiceThenTwoHundredSucceedsOnTheThirdWithOneIdempotencyKey() throws Exception {
    server =
        ScriptedServer.start(
            sequence(status(500), status(503), json(200, "{\"dynamic_variables\":{\"a\":\"b\"}}")));

    WebhookResult r = await(client.call(request(server.url("/hook?tenant=7")), FAST));

    WebhookResult.Success s = assertInstanceOf(WebhookResult.Success.class, r);
    assertEquals(Map.of("a", "b"), s.variables());
    assertEquals(List.of(1, 2, 3), s.attempts().stream().map(WebhookResult.Attempt::number).toList());
    assertEquals(FailureReason.STATUS, s.attempts().get(0).failure().orElseThrow());
    assertEquals(OptionalInt.of(503), s.attempts().get(1).status());
    assertTrue(s.attempts().get(2).succeeded());

    assertContract(server.requests(), "127.0.0.1:" + server.port(), null);
  }

  @Test
  void fourTimeoutsFailAfterFourAttemptsAndCloseEveryConnection() throws Exception {
    server = ScriptedServer.start(sequence(new ScriptedServer.Hang()));
    WebhookPolicy policy = FAST.withTimeout(Duration.ofMillis(250));

    WebhookResult.Failure f = callExpectingFailure(policy);

    assertEquals(4, f.attempts().size());
    for (WebhookResult.Attempt a : f.attempts()) {
      assertEquals(FailureReason.TIMEOUT, a.failure().orElseThrow());
      assertTrue(a.latency().toMillis() >= 240, "waited the deadline: " + a.latency());
      assertTrue(a.detail().contains("250ms"), a.detail());
    }
    assertEquals(FailureReason.TIMEOUT, f.reason());
    assertEquals(4, server.requests().size());
    for (int c = 1; c <= 4; c++) {
      assertTrue(server.awaitClosed(c, Duration.ofSeconds(5)), "timed-out connection " + c + " closed");
    }
    assertTrue(f.summary().startsWith("webhook: 4 attempts failed, last: timeout"), f.summary());
  }

  @Test
  void connectionRefusedIsRefused() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    WebhookResult r =
        await(client.call(request(URI.create("http://127.0.0.1:" + closedPort + "/")),
            FAST.withRetries(1)));

    WebhookResult.Failure f = assertInstanceOf(WebhookResult.Failure.class, r);
    assertEquals(2, f.attempts().size());
    f.attempts().forEach(a -> assertEquals(FailureReason.REFUSED, a.failure().orElseThrow()));
    assertTrue(f.lastAttempt().status().isEmpty());
  }

  @Test
  void bodyTricklingPastTheDeadlineTimesOut() throws Exception {
    server = ScriptedServer.start(sequence(new ScriptedServer.Trickle(200, 100, Duration.ofMillis(40))));

    WebhookResult.Failure f =
        callExpectingFailure(FAST.withRetries(0).withTimeout(Duration.ofMillis(400)));

    WebhookResult.Attempt a = f.lastAttempt();
    assertEquals(FailureReason.TIMEOUT, a.failure().orElseThrow());
    assertEquals(OptionalInt.of(200), a.status(), "the head had arrived");
    assertTrue(a.detail().contains("reading the body"), a.detail());
    assertTrue(a.latency().toMillis() < 3000, "the deadline covers the body: " + a.latency());
    assertTrue(server.awaitClosed(1, Duration.ofSeconds(5)));
  }

  @Test
  void twoHundredWithHtmlIsNotJson() throws Exception {
    server =
        ScriptedServer.start(
            sequence(respond(200, Map.of("Content-Type", "text/html"), "<html><body>Welcome</body></html>")));

    WebhookResult.Failure f = callExpectingFailure(FAST.withRetries(0));

    assertEquals(FailureReason.NOT_JSON, f.reason());
    assertEquals(OptionalInt.of(200), f.lastAttempt().status());
    assertTrue(f.lastAttempt().detail().contains("text/html"), f.lastAttempt().detail());
  }

  @Test
  void dynamicVariablesAsAnArrayIsNotAnObject() throws Exception {
    server = ScriptedServer.start(sequence(json(200, "{\"dynamic_variables\":[\"a\",\"b\"]}")));

    WebhookResult.Failure f = callExpectingFailure(FAST.withRetries(0));

    assertEquals(FailureReason.VARIABLES_NOT_OBJECT, f.reason());
    assertTrue(f.lastAttempt().detail().contains("array"), f.lastAttempt().detail());
  }

  @Test
  void bodyThatIsAJsonArrayIsNotAnObject() throws Exception {
    server = ScriptedServer.start(sequence(json(200, "[{\"dynamic_variables\":{}}]")));

    assertEquals(FailureReason.NOT_OBJECT, callExpectingFailure(FAST.withRetries(0)).reason());
  }

  @Test
  void oneMebibyteStreamedBodyFailsFastAsTooLargeAndCloses() throws Exception {
    server = ScriptedServer.start(sequence(new ScriptedServer.Chunked(200, 1 << 20)));

    WebhookResult.Failure f = callExpectingFailure(FAST.withRetries(0));

    assertEquals(FailureReason.TOO_LARGE, f.reason());
    assertTrue(f.lastAttempt().detail().contains("65536"), f.lastAttempt().detail());
    assertTrue(f.lastAttempt().latency().toMillis() < 3000, "fails fast: " + f.lastAttempt().latency());
    assertTrue(server.awaitClosed(1, Duration.ofSeconds(5)), "the connection is closed");
  }

  @Test
  void oneMebibyteDeclaredBodyFailsOnItsContentLength() throws Exception {
    server = ScriptedServer.start(sequence(json(200, "\"" + "x".repeat(1 << 20) + "\"")));

    WebhookResult.Failure f = callExpectingFailure(FAST.withRetries(0));

    assertEquals(FailureReason.TOO_LARGE, f.reason());
    assertTrue(f.lastAttempt().detail().startsWith("Content-Length 1048578"), f.lastAttempt().detail());
    assertTrue(server.awaitClosed(1, Duration.ofSeconds(5)), "the connection is closed");
  }

  @Test
  void redirectIsAFailedAttemptAndIsNotFollowed() throws Exception {
    server = ScriptedServer.start(sequence(respond(302, Map.of("Location", "/elsewhere"), "")));

    WebhookResult.Failure f = callExpectingFailure(FAST.withRetries(0));

    assertEquals(FailureReason.STATUS, f.reason());
    assertEquals(OptionalInt.of(302), f.lastAttempt().status());
    assertTrue(f.lastAttempt().detail().contains("Location: /elsewhere"), f.lastAttempt().detail());
    assertEquals(1, server.requests().size(), "no request to the redirect target");
  }

  @Test
  void unresolvableHostIsDns() throws Exception {
    WebhookResult r =
        await(client.call(request(URI.create("http://no-such-host.invalid/hook")),
            FAST.withRetries(0)));

    assertEquals(FailureReason.DNS, assertInstanceOf(WebhookResult.Failure.class, r).reason());
  }

  @Test
  void signatureVerifiesWithTheDocumentedRecipe() throws Exception {
    server = ScriptedServer.start(sequence(status(500), json(200, "{}")));
    String secret = "whsec_5f2b1c";
    WebhookRequest req =
        new WebhookRequest("call-42", FROM, TO, server.url("/signed"), secret);

    WebhookResult r = await(client.call(req, FAST));

    assertInstanceOf(WebhookResult.Success.class, r);
    for (ScriptedServer.Received q : server.requests()) {
      assertTrue(signatureVerifies(secret, q), q.header("X-Ringhook-Signature"));
      String t = q.header("X-Ringhook-Signature").split(",")[0].substring(2);
      assertEquals(CLOCK.instant().getEpochSecond(), Long.parseLong(t), "timestamp from the clock");
      byte[] tampered = q.bodyText().replace(TO, "+10000000000").getBytes(StandardCharsets.UTF_8);
      assertFalse(verify(secret, q.header("X-Ringhook-Signature"), tampered),
          "a changed body does not verify");
    }
    assertEquals(2, server.requests().size());
  }

  /**
   * The requests of one call's three attempts to {@code /hook?tenant=7}, whatever the protocol:
   * method, target, the exact body, the headers, one idempotency key, and a signature that
   * verifies with the documented recipe (none without a secret).
   */
  static void assertContract(List<ScriptedServer.Received> seen, String host, String secret)
      throws Exception {
    assertEquals(3, seen.size(), "the server saw exactly 3 requests");
    String key = WebhookMessage.idempotencyKey("a84b4c76e66710@10.0.0.1");
    for (int i = 0; i < 3; i++) {
      ScriptedServer.Received q = seen.get(i);
      assertEquals("POST", q.method());
      assertEquals("/hook?tenant=7", q.uri());
      assertArrayEquals(EXACT_BODY.getBytes(StandardCharsets.UTF_8), q.body());
      assertEquals("application/json", q.header("Content-Type"));
      assertEquals("application/json", q.header("Accept"));
      assertEquals("ringhook/1.2.3", q.header("User-Agent"));
      assertEquals(host, q.header("Host"));
      assertEquals(String.valueOf(EXACT_BODY.length()), q.header("Content-Length"));
      assertEquals("a84b4c76e66710@10.0.0.1", q.header("X-Ringhook-Call-Id"));
      assertEquals(String.valueOf(i + 1), q.header("X-Ringhook-Attempt"));
      assertEquals(key, q.header("Idempotency-Key"));
      if (secret == null) {
        assertNull(q.header("X-Ringhook-Signature"), "unsigned without a secret");
      } else {
        assertTrue(signatureVerifies(secret, q), q.header("X-Ringhook-Signature"));
        assertFalse(signatureVerifies(secret + "-other", q));
      }
    }
  }

  /** Whether the request's signature verifies with the receiver's recipe from docs/webhook.md. */
  static boolean signatureVerifies(String secret, ScriptedServer.Received q) throws Exception {
    return verify(secret, q.header("X-Ringhook-Signature"), q.body());
  }

  /** The receiver's recipe from docs/webhook.md, written independently of the client. */
  private static boolean verify(String secret, String header, byte[] body) throws Exception {
    Map<String, String> parts = new LinkedHashMap<>();
    for (String kv : header.split(",")) {
      String[] p = kv.split("=", 2);
      parts.put(p[0], p[1]);
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((parts.get("t") + ".").getBytes(StandardCharsets.UTF_8));
    byte[] expected = mac.doFinal(body);
    return java.security.MessageDigest.isEqual(expected, HexFormat.of().parseHex(parts.get("v1")));
  }
}
