package io.ringhook.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A server certificate for {@code localhost} only, made at test time by the JDK's keytool, and
 * the PEM file that makes the client trust it (its "private CA", through the extra CA file).
 */
final class TestCertificate {

  private static final char[] PASSWORD = "changeit".toCharArray();

  private final KeyStore store;
  private final Path caPem;

  private TestCertificate(KeyStore store, Path caPem) {
    this.store = store;
    this.caPem = caPem;
  }

  static TestCertificate create(Path dir) throws Exception {
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
    Path caPem = dir.resolve("private-ca.pem");
    Files.writeString(
        caPem,
        "# the webhook's private CA (self-signed, test only)\n-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
            + "\n-----END CERTIFICATE-----\n",
        StandardCharsets.US_ASCII);
    return new TestCertificate(store, caPem);
  }

  /** The PEM file to pass as the client's extra CA file. */
  Path caPem() {
    return caPem;
  }

  /** A server context without ALPN: clients get HTTP/1.1. */
  SslContext server() throws Exception {
    return SslContextBuilder.forServer(keyManager()).sslProvider(SslProvider.JDK).build();
  }

  /**
   * A server context offering h2 and http/1.1 by ALPN; {@code fullHandshakes} counts the handshakes
   * that needed the certificate's key, i.e. that did not resume a session.
   */
  SslContext serverH2(AtomicInteger fullHandshakes) throws Exception {
    return server(fullHandshakes, ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
  }

  /** A server context offering the given protocols by ALPN, counting full handshakes. */
  SslContext server(AtomicInteger fullHandshakes, String... protocols) throws Exception {
    return SslContextBuilder.forServer(new Counting(keyManager(), fullHandshakes))
        .sslProvider(SslProvider.JDK)
        .applicationProtocolConfig(
            new ApplicationProtocolConfig(
                Protocol.ALPN,
                SelectorFailureBehavior.NO_ADVERTISE,
                SelectedListenerFailureBehavior.ACCEPT,
                protocols))
        .build();
  }

  private X509KeyManager keyManager() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    return (X509KeyManager) kmf.getKeyManagers()[0];
  }

  /** A key manager that counts how often the server's key was chosen: once per full handshake. */
  private static final class Counting extends X509ExtendedKeyManager {
    private final X509KeyManager delegate;
    private final AtomicInteger chosen;

    Counting(X509KeyManager delegate, AtomicInteger chosen) {
      this.delegate = delegate;
      this.chosen = chosen;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      String alias = delegate.chooseServerAlias(keyType, issuers, null);
      if (alias != null) {
        chosen.incrementAndGet();
      }
      return alias;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }

}
