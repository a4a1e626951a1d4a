package io.ringhook.webhook;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pipelines of an origin's connections: [TLS and ALPN], then either the HTTP/1.1 codec with the
 * {@link ResponseHandler}, or the HTTP/2 frame codec and multiplexer whose streams each get an
 * HTTP/1-object converter and their own {@link ResponseHandler}: one response handling for both.
 */
final class PoolChannels {

  /** The largest response head accepted, on either protocol. */
  static final int MAX_HEADER_BYTES = 16384;

  private final OriginPool pool;
  private final Origin origin;
  private final SslContext tls;
  private final long idleMillis;
  private final ChannelHandler streamInitializer =
      new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new ResponseHandler());
        }
      };
  /** Server push is disabled in our SETTINGS; a stream the server opens anyway is closed. */
  private static final ChannelHandler REFUSE_PUSH =
      new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.close();
        }
      };

  PoolChannels(OriginPool pool, Origin origin, SslContext tls, Duration idleTimeout) {
    this.pool = pool;
    this.origin = origin;
    this.tls = tls;
    this.idleMillis = idleTimeout.toMillis();
  }

  /** The first handlers of a new connection: TLS and ALPN, or the protocol's own at once. */
  ChannelHandler initializer(OriginPool.Conn c, int handshakeMillis) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
          // Peer host and port give SNI, let host name verification check the certificate, and
          // key the JDK's session cache, so later connections resume the session.
          SslHandler ssl = tls.newHandler(ch.alloc(), origin.host(), origin.port());
          ssl.setHandshakeTimeoutMillis(handshakeMillis);
          p.addLast("tls", ssl);
          p.addLast("alpn", new Negotiation(c));
        } else if (origin.h2c()) {
          http2(p, c);
        } else {
          http1(p);
        }
      }
    };
  }

  /** The handlers of one HTTP/2 stream: one request, one response. */
  ChannelHandler streamInitializer() {
    return streamInitializer;
  }

  private void http1(ChannelPipeline p) {
    p.addLast(
        "http",
        new HttpClientCodec(
            new HttpDecoderConfig().setMaxInitialLineLength(4096).setMaxHeaderSize(MAX_HEADER_BYTES),
            false,
            false));
    p.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
    p.addLast("response", new ResponseHandler());
  }

  private void http2(ChannelPipeline p, OriginPool.Conn c) {
    // Before the codec: the multiplexer hands stream frames to the streams, so a timer after it
    // would see a busy connection as idle.
    p.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
    p.addLast(
        "h2",
        Http2FrameCodecBuilder.forClient()
            .initialSettings(
                Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(MAX_HEADER_BYTES))
            .build());
    p.addLast("mux", new Http2MultiplexHandler(REFUSE_PUSH));
    p.addLast("connection", new Http2Connection(c));
  }

  /** Picks the pipeline by what ALPN agreed; no agreement (or no ALPN) is HTTP/1.1. */
  private final class Negotiation extends ApplicationProtocolNegotiationHandler {
    private final OriginPool.Conn c;

    Negotiation(OriginPool.Conn c) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.c = c;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        http2(ctx.pipeline(), c);
        pool.negotiatedHttp2(c);
      } else {
        http1(ctx.pipeline());
        pool.ready(c, OriginPool.Protocol.HTTP_1_1);
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      // Reported to the attempts as a tls failure; nothing to log here.
      pool.failConn(c, cause, FailureReason.TLS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      pool.failConn(c, cause, FailureReason.TLS);
    }
  }

  /** The connection-level frames the pool cares about: SETTINGS, GOAWAY, and idleness. */
  private final class Http2Connection extends ChannelInboundHandlerAdapter {
    private final OriginPool.Conn c;

    Http2Connection(OriginPool.Conn c) {
      this.c = c;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame s) {
          pool.settings(c, s.settings().maxConcurrentStreams());
        } else if (msg instanceof Http2GoAwayFrame) {
          pool.goingAway(c);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        pool.idleTimeout(c);
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A connection error: its streams fail through their own close.
      ctx.close();
    }
  }
}
