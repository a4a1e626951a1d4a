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
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS against a real TLS server whose certificate (for {@code localhost} only) is made at test
 * time by the JDK's keytool and trusted through the extra CA file.
 */
class WebhookTlsTest {

  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path dir;
  static SslContext serverTls;
  static Path caPem;

  private ScriptedServer server;
  private WebhookClient client;

  @BeforeAll
  static void makeCertificate() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(), "-genkeypair", "-alias", "webhook", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
                "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit", "-noprompt")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "keytool: " + output);

    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD);
    }
    X509Certificate cert = (X509Certificate) store.getCertificate("webhook");
    caPem = dir.resolve("private-ca.pem");
    Files.writeString(
        caPem,
        "# the webhook's private CA (self-signed, test only)\n-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
            + "\n-----END CERTIFICATE-----\n",
        StandardCharsets.US_ASCII);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    serverTls = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).build();
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

    assertEquals(FailureReason.TLS, assertInstanceOf(WebhookResult.Failure.class, r).reason());
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
