package io.ringhook.media.agent;

import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** The process-wide pieces every agent connection shares: DNS resolver, default TLS, URL rules. */
final class AgentTransport {
  /** Non-blocking DNS with caching, one resolver per event loop; lives as long as the loops. */
  static final AddressResolverGroup<InetSocketAddress> RESOLVER =
      new DnsAddressResolverGroup(
          new DnsNameResolverBuilder()
              .datagramChannelType(NioDatagramChannel.class)
              .socketChannelType(NioSocketChannel.class));

  private AgentTransport() {}

  /** The JDK's trusted CAs; built on first use, since most set-ups only use ws:// or the demo. */
  static SslContext defaultTls() {
    return DefaultTls.CONTEXT;
  }

  private static final class DefaultTls {
    static final SslContext CONTEXT = build();

    private static SslContext build() {
      try {
        return SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .endpointIdentificationAlgorithm("HTTPS")
            .build();
      } catch (SSLException e) {
        throw new IllegalStateException("cannot set up the JDK's TLS client: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Where an agent URL points.
   *
   * @param host the host name or IP literal, without IPv6 brackets
   * @param loggable the URL without user info and query (which may carry tokens), for logs
   */
  record Endpoint(String host, int port, boolean secure, String loggable) {
    static Endpoint of(URI url) {
      if (url == null) {
        throw new NullPointerException("url");
      }
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      boolean secure;
      if (scheme.equals("wss")) {
        secure = true;
      } else if (scheme.equals("ws")) {
        secure = false;
      } else {
        throw new IllegalArgumentException("agent URL must be ws:// or wss://, got " + url);
      }
      String host = url.getHost();
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("agent URL has no host: " + url);
      }
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = url.getPort() > 0 ? url.getPort() : secure ? 443 : 80;
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      String shown = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
      return new Endpoint(host, port, secure, scheme + "://" + shown + ":" + port + path);
    }

    InetSocketAddress address() {
      return InetSocketAddress.createUnresolved(host, port);
    }
  }
}
