package io.ringhook.media.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an agent connection's pipeline: drives the WebSocket upgrade, then turns
 * frames into calls on its {@link NettyAgentConnection}.
 *
 * <p>Before the upgrade it sees the HTTP response (aggregated); after it, whole messages (the
 * aggregator it inserts reassembles fragments) and control frames. Pings are answered here; a pong
 * needs no handling, as any bytes read already reset the idle timer. Close frames are handled by
 * the connection, so it can tell an agent's close from a dropped connection.
 */
final class AgentClientHandler extends ChannelInboundHandlerAdapter {
  private final NettyAgentConnection connection;
  private final WebSocketClientHandshaker handshaker;

  AgentClientHandler(NettyAgentConnection connection, WebSocketClientHandshaker handshaker) {
    this.connection = connection;
    this.handshaker = handshaker;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    handshaker.handshake(ctx.channel()).addListener(f -> {
      if (!f.isSuccess()) {
        connection.onError(f.cause());
      }
    });
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!handshaker.isHandshakeComplete()) {
        if (msg instanceof FullHttpResponse response && connection.onUpgradeResponse(
            ctx.channel(), handshaker, response)) {
          ctx.pipeline().addBefore(ctx.name(), "ws-aggregator",
              new WebSocketFrameAggregator(AgentConnection.MAX_MESSAGE_BYTES));
          connection.onHandshake();
        }
        return;
      }
      if (msg instanceof TextWebSocketFrame text) {
        connection.onText(text.content());
      } else if (msg instanceof PingWebSocketFrame ping) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retainedDuplicate()),
            ctx.voidPromise());
      } else if (msg instanceof CloseWebSocketFrame close) {
        connection.onCloseFrame(close.statusCode(), close.reasonText());
      } else if (msg instanceof BinaryWebSocketFrame) {
        connection.onBinary();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent idle) {
      connection.onIdle(idle);
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    connection.onError(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connection.onInactive();
    ctx.fireChannelInactive();
  }
}
