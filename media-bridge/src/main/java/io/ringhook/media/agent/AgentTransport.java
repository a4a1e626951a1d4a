package io.ringhook.media.agent;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.ringhook.media.NettyTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/** The process-wide pieces every agent connection shares: DNS resolver, default TLS, URL rules. */
final class AgentTransport {
  /** Per transport (its UDP channel class): non-blocking DNS with caching, one resolver per event loop. */
  private static final Map<Class<? extends DatagramChannel>, AddressResolverGroup<InetSocketAddress>> RESOLVERS =
      new ConcurrentHashMap<>();

  private AgentTransport() {}

  /** The resolver for connections made on {@code group}; lives as long as the process's loops. */
  static AddressResolverGroup<InetSocketAddress> resolver(EventLoopGroup group) {
    return RESOLVERS.computeIfAbsent(NettyTransport.datagramChannel(group), udp -> new DnsAddressResolverGroup(
        new DnsNameResolverBuilder().datagramChannelType(udp).socketChannelType(NettyTransport.socketChannel(group))));
  }

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
