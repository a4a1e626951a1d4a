package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;

/**
 * A scripted local WebSocket agent for the connection tests: records what it receives and sends
 * what a test tells it to, or misbehaves on purpose (404 to the upgrade, never answering).
 */
final class TestAgentServer implements AutoCloseable {
  static final String PATH = "/stream";
  static final long WAIT_SECONDS = 5;

  enum Mode { WEBSOCKET, NOT_FOUND, SILENT }

  private final Channel server;
  private final boolean secure;
  /** Text messages received, then "close:<code>" for a close frame. */
  final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  /** Happenings: "active", "upgrade:<uri>", "sni:<names>", "ping", "pong", "inactive". */
  final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<Channel> connections = new LinkedBlockingQueue<>();
  private volatile Channel connection;

  private TestAgentServer(EventLoopGroup group, Mode mode, SslContext tls) {
    this.secure = tls != null;
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            p.addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                events.add("active");
                ctx.fireChannelActive();
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                events.add("inactive");
                ctx.fireChannelInactive();
              }
            });
            if (tls != null) {
              SslHandler ssl = tls.newHandler(ch.alloc());
              ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                  List<SNIServerName> names =
                      ((ExtendedSSLSession) ssl.engine().getSession()).getRequestedServerNames();
                  events.add("sni:" + names.stream()
                      .map(n -> new String(n.getEncoded(), StandardCharsets.US_ASCII)).toList());
                }
              });
              p.addLast(ssl);
            }
            switch (mode) {
              case SILENT -> p.addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  ReferenceCountUtil.release(msg);
                }
              });
              case NOT_FOUND -> {
                p.addLast(new HttpServerCodec(), new HttpObjectAggregator(65536));
                p.addLast(new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ReferenceCountUtil.release(msg);
                    DefaultFullHttpResponse r = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.NOT_FOUND,
                        Unpooled.copiedBuffer("no agent here", StandardCharsets.US_ASCII));
                    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
                    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                  }
                });
              }
              case WEBSOCKET -> {
                p.addLast("http", new HttpServerCodec());
                p.addLast("sniffer", new Sniffer());
                p.addLast("http-aggregator", new HttpObjectAggregator(65536));
                p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig
                    .newBuilder()
                    .websocketPath(PATH)
                    .checkStartsWith(true)
                    .handleCloseFrames(false)
                    .dropPongFrames(false)
                    .sendCloseFrame(null)
                    .maxFramePayloadLength(4 << 20)
                    .build()));
                p.addLast(new WebSocketFrameAggregator(4 << 20));
                p.addLast(new Recorder());
              }
              default -> throw new IllegalStateException();
            }
          }
        });
    this.server = b.bind("127.0.0.1", 0).syncUninterruptibly().channel();
  }

  static TestAgentServer start(EventLoopGroup group, Mode mode) {
    return new TestAgentServer(group, mode, null);
  }

  static TestAgentServer startTls(EventLoopGroup group, SslContext tls) {
    return new TestAgentServer(group, Mode.WEBSOCKET, tls);
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  URI url() {
    return URI.create((secure ? "wss" : "ws") + "://127.0.0.1:" + port() + PATH);
  }

  /** The next text message (or close) received, failing after a few seconds. */
  String take() throws InterruptedException {
    String s = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(s, "the agent received nothing");
    return s;
  }

  /** Asserts that nothing more arrives within {@code millis}. */
  void assertNothingMore(long millis) throws InterruptedException {
    assertNull(received.poll(millis, TimeUnit.MILLISECONDS), "unexpected message");
  }

  String event() throws InterruptedException {
    String s = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(s, "no event at the agent");
    return s;
  }

  /** Waits for the next event that starts with {@code prefix}, skipping others. */
  String awaitEvent(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      String s = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (s != null && s.startsWith(prefix)) {
        return s;
      }
    }
    throw new AssertionError("no " + prefix + " event at the agent");
  }

  /** The upgraded connection (waits for it). */
  Channel connection() throws InterruptedException {
    if (connection == null) {
      connection = connections.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(connection, "no WebSocket connection at the agent");
    }
    return connection;
  }

  void send(String text) throws InterruptedException {
    connection().writeAndFlush(new TextWebSocketFrame(text)).syncUninterruptibly();
  }

  void sendFrame(WebSocketFrame frame) throws InterruptedException {
    connection().writeAndFlush(frame).syncUninterruptibly();
  }

  /** Sends {@code text} as a message of several frames. */
  void sendFragmented(String text, int parts) throws InterruptedException {
    int step = (text.length() + parts - 1) / parts;
    Channel ch = connection();
    for (int i = 0; i < parts; i++) {
      String piece = text.substring(i * step, Math.min(text.length(), (i + 1) * step));
      boolean last = i == parts - 1;
      WebSocketFrame f = i == 0
          ? new TextWebSocketFrame(last, 0, piece)
          : new ContinuationWebSocketFrame(last, 0, piece);
      ch.write(f);
    }
    ch.flush();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    Channel c = connection != null ? connection : connections.peek();
    if (c != null) {
      c.close().syncUninterruptibly();
    }
  }

  /** Sees frames before the WebSocket protocol handler answers pings. */
  private final class Sniffer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof PingWebSocketFrame) {
        events.add("ping");
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Recorder extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete h) {
        events.add("upgrade:" + h.requestUri());
        connections.add(ctx.channel());
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof TextWebSocketFrame t) {
          received.add(t.text());
        } else if (msg instanceof CloseWebSocketFrame c) {
          received.add("close:" + c.statusCode());
          ctx.writeAndFlush(new CloseWebSocketFrame(c.statusCode(), ""))
              .addListener(ChannelFutureListener.CLOSE);
        } else if (msg instanceof PongWebSocketFrame) {
          events.add("pong");
        } else if (msg instanceof BinaryWebSocketFrame) {
          received.add("binary");
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      events.add("error:" + cause);
      ctx.close();
    }
  }
}
