package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.delayed;
import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.respond;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.ScriptedServer.status;
import static io.ringhook.webhook.WebhookClientTest.CLOCK;
import static io.ringhook.webhook.WebhookClientTest.FAST;
import static io.ringhook.webhook.WebhookClientTest.FROM;
import static io.ringhook.webhook.WebhookClientTest.TO;
import static io.ringhook.webhook.WebhookClientTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.testing.Await;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 against Netty's own HTTP/2 server: h2 by ALPN for https, h2c by prior knowledge only when
 * the request asks for it, the same request either way, many attempts on one connection, and TLS
 * sessions resumed.
 */
class WebhookHttp2Test {

  static final String SECRET = "whsec_5f2b1c";

  @TempDir static Path dir;
  static TestCertificate cert;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final AtomicInteger fullHandshakes = new AtomicInteger();

  @BeforeAll
  static void makeCertificate() throws Exception {
    cert = TestCertificate.create(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : resources) {
      c.close();
    }
  }

  private WebhookClient client() {
    WebhookClient c =
        WebhookClient.builder().clock(CLOCK).version("1.2.3").extraCaFile(cert.caPem()).build();
    resources.add(c);
    return c;
  }

  private ScriptedServer h2(ScriptedServer.Script script, boolean tls) throws Exception {
    ScriptedServer s = ScriptedServer.startH2(script, tls ? cert.serverH2(fullHandshakes) : null);
    resources.add(0, s);
    return s;
  }

  private static WebhookRequest signed(URI url, boolean h2c) {
    return new WebhookRequest("a84b4c76e66710@10.0.0.1", FROM, TO, url, SECRET, h2c);
  }

  private static URI https(ScriptedServer s, String path) {
    return URI.create("https://localhost:" + s.port() + path);
  }

  @Test
  void httpsOriginOfferingH2IsCalledOverH2WithTheSameRequestAndRetries() throws Exception {
    ScriptedServer server =
        h2(sequence(status(500), status(503), json(200, "{\"dynamic_variables\":{\"a\":\"b\"}}")),
            true);

    WebhookResult r = await(client().call(signed(https(server, "/hook?tenant=7"), false), FAST));

    WebhookResult.Success s = assertInstanceOf(WebhookResult.Success.class, r);
    assertEquals(Map.of("a", "b"), s.variables());
    assertEquals(3, s.attempts().size(), "two failed attempts retried, as over HTTP/1.1");
    assertSameContract(server.requests(), "localhost:" + server.port());
    assertEquals(1, server.connections(), "the retries are streams on the same connection");
  }

  @Test
  void h2cOnlyWhenTheRequestAsksForItWithTheSameRequest() throws Exception {
    ScriptedServer h2c =
        h2(sequence(status(500), status(503), json(200, "{\"dynamic_variables\":{\"a\":\"b\"}}")),
            false);
    ScriptedServer plain =
        ScriptedServer.start(
            sequence(status(500), status(503), json(200, "{\"dynamic_variables\":{\"a\":\"b\"}}")));
    resources.add(0, plain);
    WebhookClient client = client();

    WebhookResult overH2c =
        await(client.call(signed(h2c.url("/hook?tenant=7"), true), FAST));
    WebhookResult overH1 =
        await(client.call(signed(plain.url("/hook?tenant=7"), false), FAST));

    assertEquals(overH2c.attempts().size(), overH1.attempts().size());
    assertSameContract(h2c.requests(), "127.0.0.1:" + h2c.port());
    assertSameContract(plain.requests(), "127.0.0.1:" + plain.port());
    assertTrue(h2c.requests().stream().allMatch(q -> q.protocol().equals("h2")));
    assertTrue(plain.requests().stream().allMatch(q -> q.protocol().equals("HTTP/1.1")),
        "http:// stays HTTP/1.1 unless asked");
  }

  @Test
  void h2cToAnEndpointThatSpeaksOnlyHttp11FailsSayingSo() throws Exception {
    ScriptedServer plain = ScriptedServer.start(sequence(status(400)));
    resources.add(0, plain);

    WebhookResult r = await(client().call(signed(plain.url("/hook"), true), FAST.withRetries(0)));

    WebhookResult.Failure f = assertInstanceOf(WebhookResult.Failure.class, r);
    assertEquals(FailureReason.IO, f.reason());
    assertTrue(f.lastAttempt().detail().contains("does the endpoint speak h2c?"),
        f.lastAttempt().detail());
  }

  @Test
  void manyAttemptsAtOnceShareOneConnection() throws Exception {
    ScriptedServer server =
        h2(sequence(delayed(Duration.ofMillis(50), 200, "{\"dynamic_variables\":{\"n\":1}}")), true);
    WebhookClient client = client();

    List<CompletableFuture<WebhookResult>> calls = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      calls.add(client.call(WebhookRequest.unsigned("call-" + i, FROM, TO, https(server, "/hook")),
          FAST.withTimeout(Duration.ofSeconds(20)).withRetries(0)));
    }
    for (CompletableFuture<WebhookResult> c : calls) {
      assertInstanceOf(WebhookResult.Success.class, c.get(30, TimeUnit.SECONDS));
    }

    assertEquals(60, server.requests().size());
    assertEquals(1, server.connections(), "60 attempts multiplexed on one connection");
    assertEquals("h2", client.poolStats().origins().get(0).protocol());
  }

  @Test
  void theServersStreamLimitIsKeptByOpeningMoreConnections() throws Exception {
    CompletableFuture<ScriptedServer.Action> answer = new CompletableFuture<>();
    ScriptedServer server =
        ScriptedServer.startH2((q, i) -> new ScriptedServer.Deferred(answer),
            cert.serverH2(fullHandshakes), 5);
    resources.add(0, server);
    WebhookClient client = client();

    List<CompletableFuture<WebhookResult>> calls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      calls.add(client.call(WebhookRequest.unsigned("call-" + i, FROM, TO, https(server, "/hook")),
          FAST.withTimeout(Duration.ofSeconds(30)).withRetries(0)));
    }
    server.awaitRequests(12, Duration.ofSeconds(20));
    answer.complete(json(200, "{}"));
    for (CompletableFuture<WebhookResult> c : calls) {
      assertInstanceOf(WebhookResult.Success.class, await(c));
    }

    assertEquals(12, server.requests().size(), "no stream refused, none sent twice");
    assertEquals(3, server.connections(), "5 streams a connection: 12 need 3");
  }

  @Test
  void slowStreamsDoNotHoldBackAFastOneOnTheSameConnection() throws Exception {
    CompletableFuture<ScriptedServer.Action> slowAnswer = new CompletableFuture<>();
    ScriptedServer server =
        h2((q, i) -> q.uri().equals("/slow") ? new ScriptedServer.Deferred(slowAnswer)
            : json(200, "{}"), false);
    WebhookClient client = client();
    List<CompletableFuture<WebhookResult>> slow = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      slow.add(client.call(new WebhookRequest("slow-" + i, FROM, TO, server.url("/slow"), null, true),
          FAST.withTimeout(Duration.ofSeconds(30))));
    }
    server.awaitRequests(20, Duration.ofSeconds(10));

    WebhookResult fast =
        await(client.call(new WebhookRequest("fast", FROM, TO, server.url("/fast"), null, true),
            FAST));

    assertInstanceOf(WebhookResult.Success.class, fast);
    assertTrue(slow.stream().noneMatch(CompletableFuture::isDone), "the slow ones still wait");
    assertEquals(1, server.connections());
    slowAnswer.complete(json(200, "{}"));
    for (CompletableFuture<WebhookResult> f : slow) {
      assertInstanceOf(WebhookResult.Success.class, await(f));
    }
  }

  @Test
  void anIdleHttp2ConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    ScriptedServer server = h2(sequence(json(200, "{}")), false);
    WebhookClient client = WebhookClient.builder().idleTimeout(Duration.ofMillis(300)).build();
    resources.add(client);

    await(client.call(new WebhookRequest("c1", FROM, TO, server.url("/hook"), null, true), FAST));

    assertTrue(server.awaitClosed(1, Duration.ofSeconds(10)), "the client closed the idle connection");
    // The pool counts the close on its own loop, maybe a moment after the server saw it.
    Await.until("the pool counted the close", Duration.ofSeconds(10),
        () -> client.poolStats().connections() == 0);
  }

  @Test
  void aNewConnectionResumesTheTlsSession() throws Exception {
    // HTTP/1.1 (all this server offers by ALPN), whose first response closes its connection, so
    // the second call needs a new one.
    ScriptedServer server =
        ScriptedServer.startTls(
            (q, i) -> i == 0 ? respond(200, Map.of("Connection", "close"), "{}") : json(200, "{}"),
            cert.server(fullHandshakes, "http/1.1"));
    resources.add(0, server);
    WebhookClient client = client();

    await(client.call(WebhookRequest.unsigned("c1", FROM, TO, https(server, "/hook")), FAST));
    await(client.call(WebhookRequest.unsigned("c2", FROM, TO, https(server, "/hook")), FAST));

    assertEquals(2, server.connections(), "the first connection was closed after its response");
    assertEquals(1, fullHandshakes.get(), "the second connection resumed the first's session");
  }

  private static void assertSameContract(List<ScriptedServer.Received> seen, String host)
      throws Exception {
    WebhookClientTest.assertContract(seen, host, SECRET);
  }
}
