package io.ringhook.media.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringhook.media.NettyTransport;
import io.ringhook.media.agent.AgentConnectException.Reason;
import io.ringhook.media.agent.AgentTransport.Endpoint;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Opens {@link NettyAgentConnection}s: the bootstrap, the pipeline, the connect deadline, and the
 * classification of what can go wrong on the way.
 *
 * <p>Pipeline: idle timer (first, so any bytes read count as a sign of life), TLS for
 * {@code wss://}, HTTP client codec and aggregator for the upgrade response, then the
 * {@link AgentClientHandler}; the upgrade swaps the HTTP handlers for WebSocket frame codecs and
 * the handler adds a frame aggregator.
 */
final class AgentConnector {
  /** The upgrade response is small; an agent answering with a large error page is cut short. */
  static final int MAX_UPGRADE_RESPONSE_BYTES = 64 * 1024;
  /** About 30 s of caller audio may wait for a slow agent; beyond that media is dropped. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 512 * 1024);

  private AgentConnector() {}

  static CompletableFuture<AgentConnection> connect(URI url, Duration connectTimeout,
      AgentStart start, AgentListener listener, EventLoopGroup group, SslContext tls,
      NettyAgentConnection.Timing timing) {
    Endpoint endpoint = Endpoint.of(url);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(timing, "timing");
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
    }
    long timeoutMillis = Math.max(1, Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE));
    SslContext context = endpoint.secure() ? (tls != null ? tls : AgentTransport.defaultTls()) : null;
    NettyAgentConnection c = new NettyAgentConnection(endpoint, start, listener, timing);
    WebSocketClientHandshaker handshaker = new Handshaker(url);

    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(NettyTransport.socketChannel(group))
        .resolver(AgentTransport.resolver(group))
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // Attached here, on the event loop and before the connect, because on a fast peer
            // the handshake can finish (and write) before connect() even returns to the caller.
            c.attach(ch);
            initPipeline(ch, c, context, handshaker, timeoutMillis);
          }
        });
    NettyAgentConnection.log.debug("{}: connecting (timeout {} ms)", c.who(), timeoutMillis);
    ChannelFuture cf = b.connect(endpoint.address());
    CompletableFuture<AgentConnection> ready = c.ready();
    try {
      ScheduledFuture<?> deadline = cf.channel().eventLoop().schedule(
          () -> c.fail(new AgentConnectException(Reason.TIMEOUT, c.who() + ": no stream within "
              + "the connect timeout of " + connectTimeout.toMillis() + " ms (stuck at "
              + c.stage() + ")", null)),
          timeoutMillis, TimeUnit.MILLISECONDS);
      ready.whenComplete((ok, err) -> deadline.cancel(false));
    } catch (IllegalStateException | RejectedExecutionException e) {
      c.fail(new AgentConnectException(Reason.IO, c.who() + ": cannot connect: " + e, e));
    }
    cf.addListener(f -> {
      if (f.isSuccess()) {
        c.stage(endpoint.secure() ? "TLS handshake" : "WebSocket handshake");
      } else {
        c.fail(classify(f.cause(), c));
      }
    });
    // Cancelling (or any other early completion) abandons the attempt.
    ready.whenComplete((ok, err) -> {
      if (err != null) {
        cf.channel().close();
      }
    });
    return ready;
  }

  private static void initPipeline(SocketChannel ch, NettyAgentConnection c, SslContext tls,
      WebSocketClientHandshaker handshaker, long timeoutMillis) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("idle", new IdleStateHandler(
        c.timing().pingAfterIdle().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    if (tls != null) {
      p.addLast("tls", tlsHandler(ch, c, tls, timeoutMillis));
    }
    p.addLast("http", new HttpClientCodec());
    p.addLast("http-aggregator", new HttpObjectAggregator(MAX_UPGRADE_RESPONSE_BYTES));
    p.addLast("agent", new AgentClientHandler(c, handshaker));
  }

  /**
   * The RFC 6455 client handshake, with a frame decoder that reports protocol violations (such as
   * a single frame over {@link AgentConnection#MAX_MESSAGE_BYTES}) without closing by itself.
   *
   * <p>Netty's decoder would write its own close frame from its place in the pipeline, which is
   * before the frame encoder the handshake adds: that write fails and its listener drops the
   * connection without a close frame. {@link NettyAgentConnection#onError} sends the close frame
   * through the whole pipeline instead.
   */
  private static final class Handshaker extends WebSocketClientHandshaker13 {
    Handshaker(URI url) {
      // As WebSocketClientHandshakerFactory would: masked frames, no mask mismatch, no timeout
      // of its own for close() (unused here).
      super(url, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(),
          AgentConnection.MAX_MESSAGE_BYTES, true, false, -1);
    }

    @Override
    protected WebSocketFrameDecoder newWebsocketDecoder() {
      return new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
          .expectMaskedFrames(false)
          .allowExtensions(false)
          .allowMaskMismatch(false)
          .maxFramePayloadLength(maxFramePayloadLength())
          .closeOnProtocolViolation(false)
          .build());
    }
  }

  /** TLS with host name verification on whatever the context says, and SNI for any host name. */
  private static SslHandler tlsHandler(SocketChannel ch, NettyAgentConnection c, SslContext tls,
      long timeoutMillis) {
    Endpoint endpoint = c.endpoint();
    SslHandler ssl = tls.newHandler(ch.alloc(), endpoint.host(), endpoint.port());
    SSLParameters params = ssl.engine().getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    if (!NetUtil.isValidIpV4Address(endpoint.host())
        && !NetUtil.isValidIpV6Address(endpoint.host())) {
      // The JDK sends SNI only for names with a dot; "agent" or "localhost" need it too.
      try {
        params.setServerNames(List.of(new SNIHostName(endpoint.host())));
      } catch (IllegalArgumentException e) {
        NettyAgentConnection.log.debug("{}: no SNI for {}: {}", c.who(), endpoint.host(),
            e.getMessage());
      }
    }
    ssl.engine().setSSLParameters(params);
    ssl.setHandshakeTimeoutMillis(timeoutMillis);
    ssl.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        c.stage("WebSocket handshake");
      } else {
        c.fail(classify(f.cause(), c));
      }
    });
    return ssl;
  }

  /** Puts a set-up failure into its class, with a message that names the call and agent. */
  static AgentConnectException classify(Throwable t, NettyAgentConnection c) {
    String who = c.who();
    for (Throwable e = t; e != null; e = e.getCause()) {
      if (e instanceof AgentConnectException known) {
        return known;
      }
      if (e instanceof UnknownHostException) {
        return new AgentConnectException(Reason.UNRESOLVED,
            who + ": cannot resolve " + c.endpoint().host(), t);
      }
      if (e instanceof SSLException || e instanceof CertificateException) {
        return new AgentConnectException(Reason.TLS,
            who + ": TLS handshake failed: " + e.getMessage(), t);
      }
      if (e instanceof ConnectTimeoutException) {
        return new AgentConnectException(Reason.TIMEOUT, who + ": TCP connect timed out", t);
      }
      if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
        return new AgentConnectException(Reason.REFUSED,
            who + ": connection refused (" + e.getMessage() + ")", t);
      }
      if (e instanceof ClosedChannelException) {
        return new AgentConnectException(Reason.CLOSED,
            who + ": connection closed during " + c.stage(), t);
      }
    }
    return new AgentConnectException(Reason.IO, who + ": " + t, t);
  }
}
