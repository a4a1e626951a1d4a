package io.ringhook.webhook;

import java.net.URI;
import java.util.Locale;

/**
 * Where a webhook lives as far as connections go: scheme, host and port (and, for {@code http},
 * whether HTTP/2 is spoken by prior knowledge), the key of a connection pool.
 *
 * @param secure whether the scheme is https
 * @param host   the host name or IP literal, without IPv6 brackets, lower case
 * @param port   the TCP port, defaulted from the scheme
 * @param h2c    HTTP/2 without TLS, by prior knowledge; never for https, where ALPN decides
 */
record Origin(boolean secure, String host, int port, boolean h2c) {

  static Origin of(URI url) {
    return of(url, false);
  }

  /** The origin of a URL; {@code h2c} only counts for an {@code http} URL. */
  static Origin of(URI url, boolean h2c) {
    boolean secure = url.getScheme().equalsIgnoreCase("https");
    String host = url.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = url.getPort() != -1 ? url.getPort() : secure ? 443 : 80;
    return new Origin(secure, host, port, h2c && !secure);
  }

  /** The Host header: the port only when it is not the scheme's default. */
  String hostHeader() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == (secure ? 443 : 80) ? h : h + ":" + port;
  }

  @Override
  public String toString() {
    return (secure ? "https://" : "http://") + hostHeader();
  }
}
