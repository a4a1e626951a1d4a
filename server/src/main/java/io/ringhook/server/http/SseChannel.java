package io.ringhook.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection turned into a Server-Sent Events stream: the chunked response head, then each
 * event as a chunk, a comment line every {@link #HEARTBEAT_SECONDS} (so proxies keep it open and a
 * vanished client is noticed), and a disconnect when the client stops reading.
 */
final class SseChannel implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(SseChannel.class);
  static final long HEARTBEAT_SECONDS = 15;

  private final Channel channel;

  private SseChannel(Channel channel) {
    this.channel = channel;
  }

  /** Writes the head of {@code reply} and starts {@code stream} on the connection; on its event loop. */
  static void start(ChannelHandlerContext ctx, HttpReply reply, EventStream stream) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    for (Map.Entry<String, String> h : reply.headers().entrySet()) {
      head.headers().set(h.getKey(), h.getValue());
    }
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    ctx.writeAndFlush(head);
    SseChannel sink = new SseChannel(ctx.channel());
    ScheduledFuture<?> heartbeat = ctx.executor().scheduleAtFixedRate(() -> sink.write(": keep-alive\n\n"),
        HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    AutoCloseable handle;
    try {
      handle = stream.open(sink);
    } catch (RuntimeException e) {
      LOG.warn("event stream failed to start", e);
      heartbeat.cancel(false);
      ctx.close();
      return;
    }
    ctx.channel().closeFuture().addListener(f -> {
      heartbeat.cancel(false);
      try {
        handle.close();
      } catch (Exception e) {
        LOG.debug("closing an event stream failed: {}", e.toString());
      }
    });
  }

  @Override
  public boolean send(String event, String data) {
    StringBuilder b = new StringBuilder(data.length() + event.length() + 16);
    b.append("event: ").append(event).append('\n');
    for (String line : data.split("\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    return write(b.append('\n').toString());
  }

  private boolean write(String text) {
    if (!channel.isActive()) {
      return false;
    }
    if (!channel.isWritable()) {
      LOG.debug("event stream to {} dropped: the client does not keep up", channel.remoteAddress());
      channel.close();
      return false;
    }
    channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
    return true;
  }
}
