package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.WebhookClientTest.FAST;
import static io.ringhook.webhook.WebhookClientTest.await;
import static io.ringhook.webhook.WebhookClientTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS against a real TLS server whose certificate (for {@code localhost} only) is made at test
 * time by the JDK's keytool and trusted through the extra CA file ({@link TestCertificate}).
 */
class WebhookTlsTest {

  @TempDir static Path dir;
  static SslContext serverTls;
  static Path caPem;

  private ScriptedServer server;
  private WebhookClient client;

  @BeforeAll
  static void makeCertificate() throws Exception {
    TestCertificate cert = TestCertificate.create(dir);
    caPem = cert.caPem();
    serverTls = cert.server();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private URI https(String host) {
    return URI.create("https://" + host + ":" + server.port() + "/hook");
  }

  @Test
  void privateCaTrustedThroughTheExtraCaFileWithMatchingHost() throws Exception {
    server = ScriptedServer.startTls(sequence(json(200, "{\"dynamic_variables\":{\"tls\":true}}")), serverTls);
    client = WebhookClient.builder().extraCaFile(caPem).build();

    WebhookResult first = await(client.call(request(https("localhost")), FAST));
    WebhookResult second = await(client.call(request(https("localhost")), FAST));

    assertEquals(Map.of("tls", "true"), assertInstanceOf(WebhookResult.Success.class, first).variables());
    assertInstanceOf(WebhookResult.Success.class, second);
    assertEquals("localhost:" + server.port(), server.requests().get(0).header("Host"));
    assertEquals(1, server.connections(), "the TLS connection is kept alive and reused");
    assertEquals("HTTP/1.1", server.requests().get(1).protocol(), "a server without ALPN gets HTTP/1.1");
  }

  @Test
  void hostNameNotInTheCertificateIsTls() throws Exception {
    server = ScriptedServer.startTls(sequence(json(200, "{}")), serverTls);
    client = WebhookClient.builder().extraCaFile(caPem).build();

    WebhookResult r = await(client.call(request(https("127.0.0.1")), FAST.withRetries(0)));

    WebhookResult.Failure f = assertInstanceOf(WebhookResult.Failure.class, r);
    assertEquals(FailureReason.TLS, f.reason());
    assertTrue(f.lastAttempt().detail().contains("127.0.0.1"), f.lastAttempt().detail());
    assertEquals(0, server.requests().size());
  }

  @Test
  void certificateFromAnUnknownCaIsTls() throws Exception {
    server = ScriptedServer.startTls(sequence(json(200, "{}")), serverTls);
    client = WebhookClient.builder().build();

    WebhookResult r = await(client.call(request(https("localhost")), FAST.withRetries(0)));

    assertEquals(FailureReason.TLS, assertInstanceOf(WebhookResult.Failure.class, r).reason(), r.toString());
    assertEquals(0, server.requests().size());
  }

  @Test
  void extraCaFileWithoutCertificatesOrMissingIsRefusedAtBuild() throws Exception {
    Path empty = dir.resolve("empty.pem");
    Files.writeString(empty, "not a certificate\n");

    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class,
            () -> WebhookClient.builder().extraCaFile(empty).build());
    assertTrue(none.getMessage().contains("holds no PEM certificate"), none.getMessage());

    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class,
            () -> WebhookClient.builder().extraCaFile(dir.resolve("missing.pem")).build());
    assertTrue(missing.getMessage().startsWith("cannot read extra CA file"), missing.getMessage());
  }
}
