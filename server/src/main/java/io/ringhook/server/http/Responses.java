package io.ringhook.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writing HTTP replies: status, content type, body and headers, honouring keep-alive. */
final class Responses {
  private Responses() {}

  /** Writes {@code reply}; closes the connection after it unless {@code keepAlive}. */
  static ChannelFuture send(ChannelHandlerContext ctx, boolean keepAlive, HttpReply reply) {
    ChannelFuture written = write(ctx, keepAlive, reply);
    return keepAlive ? written : written.addListener(ChannelFutureListener.CLOSE);
  }

  /** Writes the reply with the matching {@code Connection} header and leaves the connection open. */
  static ChannelFuture write(ChannelHandlerContext ctx, boolean keepAlive, HttpReply reply) {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(body));
    for (Map.Entry<String, String> h : reply.headers().entrySet()) {
      response.headers().set(h.getKey(), h.getValue());
    }
    if (reply.status() != 204) { // RFC 9110 8.6: no Content-Length on a 204
      if (!reply.contentType().isEmpty()) { // a redirect has no body to describe
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
      }
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    return ctx.writeAndFlush(response);
  }

  static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
