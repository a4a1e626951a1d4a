package io.ringhook.webhook;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the client TLS context: the JDK trust store plus optional extra CAs, hosts verified, h2 and
 * http/1.1 offered by ALPN.
 */
final class TlsContexts {

  private static final Pattern PEM_CERT =
      Pattern.compile(
          "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+?)-----END CERTIFICATE-----");

  private TlsContexts() {}

  /**
   * A client context with SNI and host name verification ("HTTPS" endpoint identification) that
   * offers h2, then http/1.1, by ALPN; a server that picks neither (or knows no ALPN) gets HTTP/1.1.
   * Sessions are cached per host and port by the JDK, so a new connection to an origin resumes
   * the TLS session of an earlier one instead of a full handshake.
   *
   * @param extraCaFile a PEM file of CA certificates to trust as well, or null
   */
  static SslContext client(Path extraCaFile) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (extraCaFile == null) {
        tmf.init((KeyStore) null);
      } else {
        tmf.init(jdkPlus(readPem(extraCaFile), extraCaFile));
      }
      return SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .trustManager(tmf)
          .endpointIdentificationAlgorithm("HTTPS")
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  Protocol.ALPN,
                  SelectorFailureBehavior.NO_ADVERTISE,
                  SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read extra CA file " + extraCaFile + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** The certificates of a PEM file; anything between the blocks (comments) is ignored. */
  static List<X509Certificate> readPem(Path file) throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certs = new ArrayList<>();
    Matcher m = PEM_CERT.matcher(text);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(
          "extra CA file " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return certs;
  }

  /**
   * The JDK's trusted CAs plus the extra ones in one key store, so one trust manager checks both.
   */
  private static KeyStore jdkPlus(List<X509Certificate> extra, Path file)
      throws IOException, GeneralSecurityException {
    TrustManagerFactory jdk =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    jdk.init((KeyStore) null);
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (TrustManager tm : jdk.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        for (X509Certificate c : x.getAcceptedIssuers()) {
          ks.setCertificateEntry("jdk-" + i++, c);
        }
      }
    }
    for (int j = 0; j < extra.size(); j++) {
      ks.setCertificateEntry("extra-" + j + "-" + file.getFileName(), extra.get(j));
    }
    return ks;
  }
}
