package io.ringhook.webhook;

import java.net.URI;
import java.util.Locale;

/**
 * Where a webhook lives as far as connections go: scheme, host and port, the key of a connection
 * pool.
 *
 * @param secure whether the scheme is https
 * @param host   the host name or IP literal, without IPv6 brackets, lower case
 * @param port   the TCP port, defaulted from the scheme
 */
record Origin(boolean secure, String host, int port) {

  static Origin of(URI url) {
    boolean secure = url.getScheme().equalsIgnoreCase("https");
    String host = url.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = url.getPort() != -1 ? url.getPort() : secure ? 443 : 80;
    return new Origin(secure, host, port);
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
