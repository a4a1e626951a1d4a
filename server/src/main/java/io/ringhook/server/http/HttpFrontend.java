package io.ringhook.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.ringhook.media.NettyTransport;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ringhook's HTTP port: plain HTTP endpoints ({@link HttpRoutes}: health, the admin API) and
 * WebSocket endpoints (the built-in demo agent), one Netty pipeline per connection. A WebSocket
 * route installs its own handlers into the connection's pipeline and the request is passed on to
 * them, upgrade included.
 */
public final class HttpFrontend implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpFrontend.class);
  private static final int MAX_REQUEST_BYTES = 64 * 1024;
  private static final long DISCARD_LINGER_MS = 2_000;

  private final Channel channel;

  private HttpFrontend(Channel channel) {
    this.channel = channel;
  }

  /**
   * Binds and serves the WebSocket endpoints and {@code GET /healthz} only.
   *
   * @param webSockets path → installer of that endpoint's handlers (e.g. the demo agent at
   *                   {@code /agents/demo}); the installer adds handlers at the end of the pipeline
   */
  public static HttpFrontend start(String host, int port, EventLoopGroup group,
                                   Map<String, Consumer<ChannelPipeline>> webSockets) {
    return start(host, port, group, webSockets, HttpRoutes.healthOnly());
  }

  /**
   * Binds and serves.
   *
   * @param webSockets path → installer of that endpoint's handlers (e.g. the demo agent at
   *                   {@code /agents/demo}); the installer adds handlers at the end of the pipeline
   * @param routes     every other request (e.g. the admin API)
   */
  public static HttpFrontend start(String host, int port, EventLoopGroup group,
                                   Map<String, Consumer<ChannelPipeline>> webSockets, HttpRoutes routes) {
    Map<String, Consumer<ChannelPipeline>> ws = Map.copyOf(webSockets);
    Objects.requireNonNull(routes, "routes");
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NettyTransport.serverSocketChannel(group))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("http", new HttpServerCodec());
            ch.pipeline().addLast("aggregate", new JsonAggregator(MAX_REQUEST_BYTES));
            ch.pipeline().addLast("route", new Router(ws, routes));
          }
        });
    try {
      Channel ch = b.bind(host, port).syncUninterruptibly().channel();
      LOG.info("HTTP listening on {}:{}", host, ((InetSocketAddress) ch.localAddress()).getPort());
      return new HttpFrontend(ch);
    } catch (Exception e) {
      // Not only RuntimeException: Netty rethrows the bind's java.net.BindException (checked) as it is.
      throw new IllegalStateException("cannot listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  /**
   * Aggregates requests; one too large gets a JSON 413 (like every other error) and the connection
   * closes. The close is graceful: the 413 goes out, our side of the connection is shut down, and the
   * rest of the body is read and discarded for at most {@link #DISCARD_LINGER_MS} before the socket
   * closes. Closing at once while the client is still sending makes its kernel answer with a reset,
   * which destroys the 413 before the client reads it.
   */
  private static final class JsonAggregator extends HttpObjectAggregator {
    JsonAggregator(int maxContentLength) {
      super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
      if (oversized instanceof HttpRequest) {
        HttpReply reply = HttpReply.error(413, "the request body is larger than " + MAX_REQUEST_BYTES / 1024 + " KiB");
        Responses.write(ctx, false, reply).addListener(f -> {
          if (ctx.channel() instanceof SocketChannel socket && socket.isActive()) {
            socket.shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), DISCARD_LINGER_MS, TimeUnit.MILLISECONDS);
          } else {
            ctx.close();
          }
        });
      } else {
        super.handleOversizedMessage(ctx, oversized);
      }
    }
  }
}
