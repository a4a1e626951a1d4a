package io.ringhook.webhook;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;

/**
 * The last handler of a pooled HTTP/1.1 connection or of an HTTP/2 stream: collects one response at
 * a time for the attempt that sent the request, enforcing {@code max_response_bytes} while the body streams in, and closes
 * the connection when it cannot be trusted for another request.
 *
 * <p>Runs on the connection's event loop; {@link #begin} must be called there too.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {

  /** Who waits for the response; called on the connection's event loop, at most once. */
  interface Listener {
    void onResponse(Response response);

    /**
     * @param status          the status, or 0 when no response head arrived
     * @param nothingReceived no byte of a response arrived: the request may be resent on another
     *                        connection when this one was a reused keep-alive connection
     */
    void onFailure(FailureReason reason, String detail, int status, boolean nothingReceived);
  }

  private Listener listener;
  private int maxBytes;
  private boolean received;
  private boolean informational;
  private int status;
  private boolean keepAlive;
  private String contentType;
  private String location;
  private ByteArrayOutputStream body;

  // Read by the attempt's deadline for its message; written here only.
  private volatile int progressStatus;
  private volatile int progressBytes;

  /** Starts waiting for the response to the request about to be written. */
  void begin(Listener l, int maxResponseBytes) {
    listener = l;
    maxBytes = maxResponseBytes;
    received = false;
    informational = false;
    status = 0;
    keepAlive = false;
    contentType = null;
    location = null;
    body = new ByteArrayOutputStream(Math.min(maxResponseBytes, 4096));
    progressStatus = 0;
    progressBytes = 0;
  }

  /** The status of the response being read, or 0 before its head. */
  int progressStatus() {
    return progressStatus;
  }

  /** How many body bytes of the response being read have arrived. */
  int progressBytes() {
    return progressBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (listener == null) {
        // Bytes nobody asked for: the connection is out of step and must not be reused.
        ctx.close();
        return;
      }
      received = true;
      if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
        Failures.Classified c = Failures.classify(o.decoderResult().cause(), FailureReason.PROTOCOL);
        fail(ctx, c.reason(), c.detail());
        return;
      }
      if (msg instanceof HttpResponse r && !onHead(ctx, r)) {
        return;
      }
      if (msg instanceof HttpContent c) {
        onContent(ctx, c);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private boolean onHead(ChannelHandlerContext ctx, HttpResponse r) {
    int code = r.status().code();
    if (code >= 100 && code < 200 && code != 101) {
      // 100 Continue and friends precede the real response; the codec ends them with empty content.
      informational = true;
      return true;
    }
    informational = false;
    status = code;
    progressStatus = code;
    keepAlive = HttpUtil.isKeepAlive(r);
    contentType = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
    location = r.headers().get(HttpHeaderNames.LOCATION);
    long length = HttpUtil.getContentLength(r, -1L);
    if (length > maxBytes) {
      fail(ctx, FailureReason.TOO_LARGE,
          "Content-Length " + length + " exceeds max_response_bytes " + maxBytes);
      return false;
    }
    return true;
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent c) {
    if (informational) {
      informational = !(c instanceof LastHttpContent);
      return;
    }
    ByteBuf buf = c.content();
    int n = buf.readableBytes();
    if (body.size() + n > maxBytes) {
      fail(ctx, FailureReason.TOO_LARGE,
          "body exceeds max_response_bytes " + maxBytes + ", stopped reading it");
      return;
    }
    body.writeBytes(ByteBufUtil.getBytes(buf));
    progressBytes = body.size();
    if (c instanceof LastHttpContent) {
      Listener l = listener;
      listener = null;
      byte[] bytes = body.toByteArray();
      body = null;
      if (!keepAlive) {
        ctx.close();
      }
      l.onResponse(new Response(status, contentType, location, bytes, keepAlive));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (listener != null) {
      fail(ctx, FailureReason.IO, "connection closed before the response was complete");
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (listener != null) {
      Failures.Classified c = Failures.classify(cause, FailureReason.IO);
      fail(ctx, c.reason(), c.detail());
    } else {
      // An idle pooled connection went bad (reset, TLS alert): drop it.
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && listener == null) {
      ctx.close();
      return;
    }
    if (evt instanceof Http2ResetFrame reset && listener != null) {
      // HTTP/2: the server refused or abandoned this request's stream.
      fail(ctx, FailureReason.IO, "stream reset by the server (HTTP/2 error " + reset.errorCode() + ")");
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  private void fail(ChannelHandlerContext ctx, FailureReason reason, String detail) {
    Listener l = listener;
    listener = null;
    body = null;
    ctx.close();
    if (l != null) {
      l.onFailure(reason, detail, status, !received);
    }
  }
}
