package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ringhook.media.agent.AgentConnectException.Reason;
import io.ringhook.testing.EventLoops;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} against a real local TLS agent whose certificate (for {@code localhost} only) the
 * JDK's keytool makes at test time.
 */
class AgentConnectionTlsTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  @RegisterExtension
  static final EventLoops LOOPS = new EventLoops(2);
  static final EventLoopGroup group = LOOPS.group();
  static SslContext serverTls;
  static SslContext trustingClient;

  private TestAgentServer agent;
  private AgentConnection connection;

  @BeforeAll
  static void setUp() throws Exception {
    Path keystore = dir.resolve("agent.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "agent",
        "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit", "-noprompt")
        .redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "keytool: " + output);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    serverTls = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).build();
    // Trusts this certificate only and, deliberately, asks for no host name check: the
    // connection must switch it on by itself.
    trustingClient = SslContextBuilder.forClient()
        .sslProvider(SslProvider.JDK)
        .trustManager((X509Certificate) store.getCertificate("agent"))
        .endpointIdentificationAlgorithm(null)
        .build();
  }

  @AfterEach
  void tearDown() {
    if (connection != null) {
      connection.close();
    }
    if (agent != null) {
      agent.close();
    }
  }

  private URI url(String host) {
    return URI.create("wss://" + host + ":" + agent.port() + TestAgentServer.PATH);
  }

  private static AgentConnectException failure(CompletableFuture<AgentConnection> f) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.get(15, TimeUnit.SECONDS));
    return assertInstanceOf(AgentConnectException.class, e.getCause());
  }

  @Test
  void wssToATrustedAgentWorksAndSendsSni() throws Exception {
    agent = TestAgentServer.startTls(group, serverTls);
    RecordingListener listener = new RecordingListener(group);
    connection = AgentConnection.connect(url("localhost"), Duration.ofSeconds(5),
        AgentConnectionTest.start(), listener, group, trustingClient).get(10, TimeUnit.SECONDS);
    assertEquals("sni:[localhost]", agent.awaitEvent("sni:"));
    assertEquals("connected", JSON.readTree(agent.take()).get("event").textValue());
    assertEquals("start", JSON.readTree(agent.take()).get("event").textValue());
    agent.send("{\"event\":\"clear\"}");
    assertEquals("clear", listener.take());
  }

  @Test
  void aCertificateForAnotherHostIsRefused() {
    agent = TestAgentServer.startTls(group, serverTls);
    AgentConnectException e = failure(AgentConnection.connect(url("127.0.0.1"),
        Duration.ofSeconds(5), AgentConnectionTest.start(), new RecordingListener(group), group,
        trustingClient));
    assertEquals(Reason.TLS, e.reason());
    assertEquals("agent_tls", e.outcome());
  }

  @Test
  void anUntrustedCertificateIsRefused() {
    agent = TestAgentServer.startTls(group, serverTls);
    AgentConnectException e = failure(AgentConnection.connect(url("localhost"),
        Duration.ofSeconds(5), AgentConnectionTest.start(), new RecordingListener(group), group));
    assertEquals(Reason.TLS, e.reason());
    assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
  }

  @Test
  void wssToAPlainHttpServerFailsAsTls() {
    // It answers the TLS hello with a plain-text HTTP error, as most servers do.
    agent = TestAgentServer.start(group, TestAgentServer.Mode.NOT_FOUND);
    AgentConnectException e = failure(AgentConnection.connect(url("localhost"),
        Duration.ofSeconds(5), AgentConnectionTest.start(), new RecordingListener(group), group,
        trustingClient));
    assertEquals(Reason.TLS, e.reason());
  }
}
