package io.ringhook.webhook;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections to one origin: a bounded Netty pool whose connections all live on
 * one event loop, the same loop that runs the calls to that origin, so they need no locks.
 */
final class OriginPool {

  /** Set on a connection once it has carried a request: a reused connection may have gone stale. */
  static final AttributeKey<Boolean> USED = AttributeKey.valueOf("ringhook.webhook.used");

  /** Connect and handshake backstops only: each attempt's own deadline normally fires first. */
  static final int CONNECT_TIMEOUT_MILLIS = 30_000;
  static final int HANDSHAKE_TIMEOUT_MILLIS = 30_000;

  private final Origin origin;
  private final EventLoop loop;
  private final FixedChannelPool pool;

  OriginPool(
      Origin origin,
      EventLoop loop,
      Bootstrap template,
      SslContext tls,
      Duration idleTimeout,
      int maxConnections) {
    this.origin = origin;
    this.loop = loop;
    Bootstrap b =
        template.clone(loop).remoteAddress(InetSocketAddress.createUnresolved(origin.host(), origin.port()));
    this.pool =
        new FixedChannelPool(
            b,
            new Initializer(origin, origin.secure() ? tls : null, idleTimeout),
            ChannelHealthChecker.ACTIVE,
            null,
            -1,
            maxConnections,
            Integer.MAX_VALUE,
            true,
            true);
  }

  Origin origin() {
    return origin;
  }

  EventLoop loop() {
    return loop;
  }

  /** A healthy idle connection, or a new one once there is room; completes on {@link #loop()}. */
  Future<Channel> acquire() {
    return pool.acquire();
  }

  /** Gives a connection back: kept when still open, dropped when closed. */
  void release(Channel ch) {
    pool.release(ch);
  }

  /** Closes idle connections now and busy ones when they come back. Does not wait. */
  void close() {
    pool.closeAsync();
  }

  /** One pipeline per connection: [TLS], HTTP/1.1 codec, idle timer, response collector. */
  private static final class Initializer extends AbstractChannelPoolHandler {
    private final Origin origin;
    private final SslContext tls;
    private final long idleMillis;

    Initializer(Origin origin, SslContext tls, Duration idleTimeout) {
      this.origin = origin;
      this.tls = tls;
      this.idleMillis = idleTimeout.toMillis();
    }

    @Override
    public void channelCreated(Channel ch) {
      ChannelPipeline p = ch.pipeline();
      if (tls != null) {
        // Peer host and port give SNI and let host name verification check the certificate.
        SslHandler ssl = tls.newHandler(ch.alloc(), origin.host(), origin.port());
        ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        p.addLast("tls", ssl);
      }
      p.addLast(
          "http",
          new HttpClientCodec(
              new HttpDecoderConfig().setMaxInitialLineLength(4096).setMaxHeaderSize(16384),
              false,
              false));
      p.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
      p.addLast("response", new ResponseHandler());
    }
  }
}
