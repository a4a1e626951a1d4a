package io.ringhook.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request of one connection to its endpoint: the first request on a WebSocket path turns
 * the connection over to that endpoint; any other goes to the {@link HttpRoutes}. Replies may come
 * from another thread; they are written on the event loop, in request order (a pipelined request
 * waits until the reply before it is written).
 */
final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  /** Pipelined requests held per connection; beyond this the connection is not read until they drain. */
  static final int MAX_WAITING = 16;

  private final Map<String, Consumer<ChannelPipeline>> webSockets;
  private final HttpRoutes routes;
  // Both only touched on the connection's event loop.
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean busy;

  Router(Map<String, Consumer<ChannelPipeline>> webSockets, HttpRoutes routes) {
    super(false);
    this.webSockets = webSockets;
    this.routes = routes;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (busy) {
      waiting.add(request);
      if (waiting.size() >= MAX_WAITING) {
        ctx.channel().config().setAutoRead(false); // a client that pipelines without reading waits
      }
      return;
    }
    dispatch(ctx, request);
  }

  private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      request.release();
      busy = true;
      finish(ctx, false, HttpReply.error(400, "malformed HTTP request"));
      return;
    }
    Consumer<ChannelPipeline> ws = webSocket(request.uri());
    if (ws != null) {
      // The endpoint's handlers go after this one, take the request (the upgrade), and from
      // then on own the connection.
      ChannelPipeline p = ctx.pipeline();
      ws.accept(p);
      ctx.fireChannelRead(request);
      p.remove(this);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    busy = true;
    CompletionStage<HttpReply> reply;
    try {
      reply = routes.handle(view(ctx, request));
    } catch (IllegalArgumentException e) { // a malformed percent-escape
      reply = CompletableFuture.completedFuture(HttpReply.error(400, "malformed URL: " + e.getMessage()));
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    } finally {
      request.release();
    }
    reply.whenComplete((r, failure) -> {
      HttpReply out = r;
      if (failure != null || r == null) {
        LOG.warn("HTTP request failed inside ringhook", failure);
        out = HttpReply.error(500, "internal error (see ringhook's log)");
      }
      HttpReply written = out;
      EventLoop loop = ctx.channel().eventLoop();
      if (loop.inEventLoop()) {
        finish(ctx, keepAlive, written);
      } else {
        try {
          loop.execute(() -> finish(ctx, keepAlive, written));
        } catch (RejectedExecutionException e) {
          LOG.debug("HTTP reply dropped: the event loop is shutting down");
        }
      }
    });
  }

  private Consumer<ChannelPipeline> webSocket(String uri) {
    try {
      return webSockets.get(new QueryStringDecoder(uri).path());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void finish(ChannelHandlerContext ctx, boolean keepAlive, HttpReply reply) {
    busy = false;
    if (!ctx.channel().isActive()) {
      releaseWaiting();
      return;
    }
    if (reply.stream().isPresent()) {
      // The connection now belongs to the stream; requests pipelined behind it are not answered.
      busy = true;
      releaseWaiting();
      SseChannel.start(ctx, reply, reply.stream().get());
      return;
    }
    Responses.send(ctx, keepAlive, reply);
    if (!keepAlive) {
      releaseWaiting();
      return;
    }
    FullHttpRequest next = waiting.poll();
    if (waiting.size() < MAX_WAITING && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
    if (next != null) {
      dispatch(ctx, next);
    }
  }

  static HttpRequestView view(ChannelHandlerContext ctx, FullHttpRequest request) {
    QueryStringDecoder uri = QueryStringDecoder.builder().htmlQueryDecoding(false).build(request.uri());
    String rawPath = uri.rawPath();
    List<String> segments = new ArrayList<>();
    String rest = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
    for (String s : rest.split("/", -1)) {
      // '+' is a plus in a path (RFC 3986), not the space of form encoding.
      segments.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    byte[] body = new byte[request.content().readableBytes()];
    request.content().getBytes(request.content().readerIndex(), body);
    return new HttpRequestView(request.method().name(), rawPath, segments, uri.parameters(),
        request.headers().copy(), body, (InetSocketAddress) ctx.channel().remoteAddress());
  }

  private void releaseWaiting() {
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) {
      r.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseWaiting();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
