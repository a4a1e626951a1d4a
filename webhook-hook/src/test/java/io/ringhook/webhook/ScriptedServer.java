package io.ringhook.webhook;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.ringhook.testing.Await;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 that misbehaves on purpose, one scripted action per request, and
 * remembers what it saw: every request with its connection and protocol, every connection opened
 * and closed. HTTP/1.1 by default; {@link #startH2} serves HTTP/2 with Netty's own server side
 * (by ALPN over TLS, or h2c by prior knowledge).
 */
final class ScriptedServer implements AutoCloseable {

  /** A request as received, with the number of the connection that carried it (from 1). */
  record Received(
      int connection, String protocol, String method, String uri, HttpHeaders headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** What to do with one request. */
  sealed interface Action permits Respond, Trickle, Chunked, Hang, Close, Deferred {}

  /** A complete response, after an optional delay. */
  record Respond(int status, Map<String, String> headers, byte[] body, Duration delay)
      implements Action {}

  /** A head declaring {@code length} bytes, then one byte per {@code every}: a body that trickles. */
  record Trickle(int status, int length, Duration every) implements Action {}

  /** A chunked body of {@code total} bytes with no Content-Length, sent as fast as possible. */
  record Chunked(int status, int total) implements Action {}

  /** Reads the request, never answers. */
  record Hang() implements Action {}

  /** Closes the connection (on HTTP/2: resets the stream) without answering. */
  record Close() implements Action {}

  /** Waits until the test completes {@code then}, then performs the action it was completed with. */
  record Deferred(CompletableFuture<Action> then) implements Action {}

  /** Chooses the action for the {@code index}-th request (from 0). */
  @FunctionalInterface
  interface Script {
    Action next(Received request, int index);
  }

  static Action json(int status, String body) {
    return new Respond(
        status, Map.of("Content-Type", "application/json"),
        body.getBytes(StandardCharsets.UTF_8), Duration.ZERO);
  }

  static Action status(int status) {
    return new Respond(status, Map.of(), new byte[0], Duration.ZERO);
  }

  static Action respond(int status, Map<String, String> headers, String body) {
    return new Respond(status, headers, body.getBytes(StandardCharsets.UTF_8), Duration.ZERO);
  }

  static Action delayed(Duration delay, int status, String jsonBody) {
    return new Respond(
        status, Map.of("Content-Type", "application/json"),
        jsonBody.getBytes(StandardCharsets.UTF_8), delay);
  }

  /** The n-th request gets the n-th action; requests past the end get the last one. */
  static Script sequence(Action... actions) {
    List<Action> list = List.of(actions);
    return (r, i) -> list.get(Math.min(i, list.size() - 1));
  }

  private final EventLoopGroup group;
  private final Channel server;
  private final Script script;
  private final int maxStreams;
  private final AtomicInteger requestIndex = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Received> requests = new CopyOnWriteArrayList<>();
  private final Map<Integer, CompletableFuture<Void>> closed = new ConcurrentHashMap<>();
  private final Map<Integer, Channel> open = new ConcurrentHashMap<>();

  private ScriptedServer(Script script, SslContext tls) throws InterruptedException {
    this(script, tls, false, 0);
  }

  private ScriptedServer(Script script, SslContext tls, boolean h2, int maxStreams)
      throws InterruptedException {
    this.script = script;
    this.maxStreams = maxStreams;
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    int id = connections.incrementAndGet();
                    CompletableFuture<Void> done = closed.computeIfAbsent(id, k -> new CompletableFuture<>());
                    open.put(id, ch);
                    ch.closeFuture().addListener(f -> {
                      open.remove(id);
                      done.complete(null);
                    });
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    if (tls != null && h2) {
                      ch.pipeline().addLast(new Alpn(id));
                    } else if (h2) {
                      http2(ch.pipeline(), id);
                    } else {
                      http1(ch.pipeline(), id);
                    }
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  static ScriptedServer start(Script script) throws InterruptedException {
    return new ScriptedServer(script, null);
  }

  static ScriptedServer startTls(Script script, SslContext tls) throws InterruptedException {
    return new ScriptedServer(script, tls, false, 0);
  }

  /**
   * An HTTP/2 server: with {@code tls} (whose context offers h2 and http/1.1 by ALPN) either
   * protocol as the client picks; without, h2c by prior knowledge only.
   */
  static ScriptedServer startH2(Script script, SslContext tls) throws InterruptedException {
    return new ScriptedServer(script, tls, true, 1000);
  }

  /** As {@link #startH2(Script, SslContext)}, allowing each connection {@code maxStreams} at once. */
  static ScriptedServer startH2(Script script, SslContext tls, int maxStreams)
      throws InterruptedException {
    return new ScriptedServer(script, tls, true, maxStreams);
  }

  private void http1(ChannelPipeline p, int id) {
    p.addLast(new HttpServerCodec())
        .addLast(new HttpObjectAggregator(1 << 20))
        .addLast(new Handler(id, "HTTP/1.1"));
  }

  private void http2(ChannelPipeline p, int id) {
    p.addLast(Http2FrameCodecBuilder.forServer()
            .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxStreams))
            .build())
        .addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel stream) {
            stream.pipeline()
                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(new HttpObjectAggregator(1 << 20))
                .addLast(new Handler(id, "h2"));
          }
        }));
  }

  /** After the TLS handshake: the pipeline of the protocol ALPN agreed on. */
  private final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final int id;

    Alpn(int id) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.id = id;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        http2(ctx.pipeline(), id);
      } else {
        http1(ctx.pipeline(), id);
      }
    }
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  List<Received> requests() {
    return List.copyOf(requests);
  }

  /** How many TCP connections were accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Waits until the given connection (numbered from 1) is closed; false on timeout. */
  boolean awaitClosed(int connection, Duration timeout) throws InterruptedException {
    try {
      closed.computeIfAbsent(connection, k -> new CompletableFuture<>())
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  boolean isOpen(int connection) {
    return open.containsKey(connection);
  }

  /** Waits until at least {@code n} requests arrived. */
  List<Received> awaitRequests(int n, Duration timeout) throws InterruptedException {
    Await.until(() -> n + " requests, got " + requests.size(), timeout, () -> requests.size() >= n);
    return requests();
  }

  @Override
  public void close() {
    if (group.isShuttingDown()) {
      return;
    }
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final int connection;
    private final String protocol;

    Handler(int connection, String protocol) {
      this.connection = connection;
      this.protocol = protocol;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      byte[] body = new byte[req.content().readableBytes()];
      req.content().getBytes(req.content().readerIndex(), body);
      Received r =
          new Received(connection, protocol, req.method().name(), req.uri(), req.headers().copy(),
              body);
      requests.add(r);
      Action action = script.next(r, requestIndex.getAndIncrement());
      perform(ctx, action);
    }

    private void perform(ChannelHandlerContext ctx, Action action) {
      if (action instanceof Respond resp) {
        if (resp.delay().isZero()) {
          ctx.writeAndFlush(full(resp));
        } else {
          ctx.executor()
              .schedule(() -> ctx.writeAndFlush(full(resp)), resp.delay().toNanos(),
                  TimeUnit.NANOSECONDS);
        }
      } else if (action instanceof Trickle t) {
        HttpResponse head =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(t.status()));
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, t.length());
        ctx.writeAndFlush(head);
        trickle(ctx, t, 0);
      } else if (action instanceof Chunked c) {
        HttpResponse head =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(c.status()));
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.write(head);
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) 'x');
        for (int sent = 0; sent < c.total(); sent += chunk.length) {
          ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
        }
        ctx.writeAndFlush(new DefaultLastHttpContent());
      } else if (action instanceof Close) {
        ctx.close();
      } else if (action instanceof Deferred a) {
        a.then().thenAccept(next -> ctx.executor().execute(() -> perform(ctx, next)));
      }
      // Hang: read, never answer.
    }

    private void trickle(ChannelHandlerContext ctx, Trickle t, int sent) {
      if (!ctx.channel().isActive()) {
        return;
      }
      if (sent == t.length()) {
        ctx.writeAndFlush(new DefaultLastHttpContent());
        return;
      }
      ctx.executor()
          .schedule(
              () -> {
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {' '})));
                trickle(ctx, t, sent + 1);
              },
              t.every().toNanos(),
              TimeUnit.NANOSECONDS);
    }

    private FullHttpResponse full(Respond r) {
      FullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
              Unpooled.wrappedBuffer(r.body()));
      r.headers().forEach((k, v) -> resp.headers().set(k, v));
      resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
      return resp;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Clients closing on purpose (TOO_LARGE, cancel) show up here as resets.
      ctx.close();
    }
  }
}
