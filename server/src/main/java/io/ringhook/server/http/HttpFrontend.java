package io.ringhook.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ringhook's HTTP port: plain HTTP endpoints (health) and WebSocket endpoints (the built-in demo
 * agent), one Netty pipeline per connection. A WebSocket route installs its own handlers into the
 * connection's pipeline and the request is passed on to them, upgrade included.
 */
public final class HttpFrontend implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpFrontend.class);
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final Channel channel;

  private HttpFrontend(Channel channel) {
    this.channel = channel;
  }

  /**
   * Binds and serves.
   *
   * @param webSockets path → installer of that endpoint's handlers (e.g. the demo agent at
   *                   {@code /agents/demo}); the installer adds handlers at the end of the pipeline
   */
  public static HttpFrontend start(String host, int port, EventLoopGroup group,
                                   Map<String, Consumer<ChannelPipeline>> webSockets) {
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("http", new HttpServerCodec());
            ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES));
            ch.pipeline().addLast("route", new Router(webSockets));
          }
        });
    try {
      Channel ch = b.bind(host, port).syncUninterruptibly().channel();
      LOG.info("HTTP listening on {}:{}", host, ((InetSocketAddress) ch.localAddress()).getPort());
      return new HttpFrontend(ch);
    } catch (RuntimeException e) {
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

  /** Sends each request to its endpoint; the first request on a WebSocket path turns the connection over. */
  private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Map<String, Consumer<ChannelPipeline>> webSockets;

    Router(Map<String, Consumer<ChannelPipeline>> webSockets) {
      super(false);
      this.webSockets = webSockets;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      Consumer<ChannelPipeline> ws = webSockets.get(path);
      if (ws != null) {
        // The endpoint's handlers go after this one, take the request (the upgrade), and from
        // then on own the connection.
        ChannelPipeline p = ctx.pipeline();
        ws.accept(p);
        ctx.fireChannelRead(request);
        p.remove(this);
        return;
      }
      try {
        Responses.send(ctx, request, route(path, request));
      } finally {
        request.release();
      }
    }

    private static Responses.Reply route(String path, FullHttpRequest request) {
      if (path.equals("/healthz")) {
        return Responses.Reply.text(200, "ok\n");
      }
      return Responses.Reply.json(404, "{\"error\":\"no such endpoint: " + Responses.jsonEscape(path) + "\"}");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }


}
