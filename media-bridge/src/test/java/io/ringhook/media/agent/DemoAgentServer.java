package io.ringhook.media.agent;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server for the {@link DemoAgent} alone: WebSocket upgrades on its path, 404 for
 * anything else. For when the demo agent is not mounted in another HTTP server, and for tests.
 */
public final class DemoAgentServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoAgentServer.class);
  private static final int MAX_REQUEST_BYTES = 64 * 1024;
  /** A connection that sends nothing for this long is closed (a live stream sends every 20 ms). */
  private static final int IDLE_SECONDS = 300;

  private final Channel server;
  private final ChannelGroup connections;
  private final String host;
  private final String path;

  private DemoAgentServer(Channel server, ChannelGroup connections, String host, String path) {
    this.server = server;
    this.connections = connections;
    this.host = host;
    this.path = path;
  }

  /** Serves the demo agent at {@link DemoAgent#PATH}; port 0 picks a free one. Blocks to bind. */
  public static DemoAgentServer start(String host, int port, EventLoopGroup group) {
    return start(host, port, DemoAgent.PATH, group);
  }

  /**
   * Serves the demo agent at {@code path}; port 0 picks a free one. Blocks until bound.
   *
   * @throws IllegalStateException when the address cannot be bound
   */
  public static DemoAgentServer start(String host, int port, String path, EventLoopGroup group) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(group, "group");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    ChannelGroup connections = new DefaultChannelGroup("demo-agent", GlobalEventExecutor.INSTANCE);
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            ChannelPipeline p = ch.pipeline();
            p.addLast("idle", new IdleStateHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS) {
              @Override
              protected void channelIdle(ChannelHandlerContext ctx,
                  IdleStateEvent evt) {
                ctx.close();
              }
            });
            p.addLast("http", new HttpServerCodec());
            p.addLast("http-aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
            DemoAgent.addTo(p, path);
            p.addLast("not-found", new NotFound());
          }
        });
    ChannelFuture bound = b.bind(host, port).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new IllegalStateException("demo agent cannot listen on " + host + ":" + port + ": "
          + bound.cause(), bound.cause());
    }
    DemoAgentServer s = new DemoAgentServer(bound.channel(), connections, host, path);
    log.info("demo agent listening on {}", s.url());
    return s;
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The URL an agent connection uses to reach it. */
  public URI url() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return URI.create("ws://" + h + ":" + port() + path);
  }

  /** Stops listening and closes every connection; blocks until they are closed. */
  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly();
  }

  /** Answers every request that is not a demo-agent upgrade with 404. */
  private static final class NotFound extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
          HttpResponseStatus.NOT_FOUND,
          Unpooled.copiedBuffer("not found\n", StandardCharsets.US_ASCII));
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
