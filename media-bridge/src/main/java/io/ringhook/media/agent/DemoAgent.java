package io.ringhook.media.agent;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.ringhook.media.agent.AgentMessages.Dtmf;
import io.ringhook.media.agent.AgentMessages.FromAgent;
import io.ringhook.media.agent.AgentMessages.Mark;
import io.ringhook.media.agent.AgentMessages.Media;
import io.ringhook.media.agent.AgentMessages.OutboundMark;
import io.ringhook.media.agent.AgentMessages.OutboundMedia;
import io.ringhook.media.agent.AgentMessages.Start;
import io.ringhook.media.agent.AgentMessages.Stop;
import io.ringhook.media.agent.AgentMessages.ToAgent;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in {@code demo} agent: a WebSocket endpoint speaking the agent protocol that plays
 * the caller's audio back to them and logs the call's variables.
 *
 * <p>Every inbound {@code media} payload is sent straight back as an outbound {@code media}
 * message, and after every {@value #MARK_EVERY} echoed chunks a {@code mark} named
 * {@code echo-<n>} follows, so that the mark path is exercised too. DTMF and stream start and stop
 * are logged. One instance serves one WebSocket; {@link #addTo} installs a fresh set of handlers
 * in a connection's pipeline (the tests' {@code DemoAgentServer} serves it on a port of its own).
 */
public final class DemoAgent extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(DemoAgent.class);
  /** Where ringhook serves the demo agent on its HTTP port, unless told otherwise. */
  public static final String PATH = "/agents/demo";
  /** A mark follows every this many echoed chunks (one second of 20 ms audio). */
  public static final int MARK_EVERY = 50;
  private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private String streamSid;
  private String callSid = "?";
  private long echoed;
  private int malformed;
  private boolean upgraded;

  DemoAgent() {
    super(false);
  }

  /**
   * Adds the demo agent's WebSocket handlers to a connection's pipeline, after its
   * {@code HttpServerCodec} and {@code HttpObjectAggregator}. Upgrade requests for {@code path}
   * (or below it, or with a query) become demo streams; every other request passes on to the
   * handlers added after these, as does everything on a connection that never upgrades.
   */
  public static void addTo(ChannelPipeline pipeline, String path) {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with /, got " + path);
    }
    pipeline.addLast("demo-agent-ws", new WebSocketServerProtocolHandler(
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(path)
            .checkStartsWith(true)
            .maxFramePayloadLength(AgentConnection.MAX_MESSAGE_BYTES)
            .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
            .build()));
    pipeline.addLast("demo-agent-aggregator",
        new WebSocketFrameAggregator(AgentConnection.MAX_MESSAGE_BYTES));
    pipeline.addLast("demo-agent", new DemoAgent());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    try {
      if (frame instanceof TextWebSocketFrame text) {
        // The 50 media messages a second: echoed from the bytes, without the tree codec.
        byte[] audio = streamSid != null ? MediaJson.mediaPayload(text.content()) : null;
        if (audio != null) {
          echo(ctx, audio);
        } else {
          onMessage(ctx, text.text());
        }
      }
    } finally {
      frame.release();
    }
  }

  private void onMessage(ChannelHandlerContext ctx, String text) {
    ToAgent message;
    try {
      message = AgentMessages.decodeToAgent(text);
    } catch (AgentMessageException e) {
      if (++malformed <= 3) {
        log.warn("demo agent: ignored a message: {}", e.getMessage());
      }
      return;
    }
    if (message instanceof Start s) {
      streamSid = s.streamSid();
      callSid = s.callSid();
      log.debug("demo agent: call {} stream {} started with parameters {}", callSid, streamSid,
          s.customParameters());
    } else if (message instanceof Media m) {
      if (streamSid == null) {
        streamSid = m.streamSid();
      }
      echo(ctx, m.payload());
    } else if (message instanceof Dtmf d) {
      log.info("demo agent: call {} pressed {}", callSid, d.digit());
    } else if (message instanceof Mark k) {
      log.debug("demo agent: call {} played up to mark {}", callSid, k.name());
    } else if (message instanceof Stop) {
      log.debug("demo agent: call {} stream {} stopped after {} echoed chunks", callSid, streamSid,
          echoed);
    }
  }

  private void echo(ChannelHandlerContext ctx, byte[] audio) {
    if (!ctx.channel().isWritable()) {
      return; // the bridge reads too slowly; an echo is worth nothing late
    }
    ByteBuf json = MediaJson.outboundMedia(ctx.alloc(), streamSid, audio);
    if (json == null) {
      send(ctx, new OutboundMedia(streamSid, audio));
    } else {
      ctx.writeAndFlush(new TextWebSocketFrame(json), ctx.voidPromise());
    }
    if (++echoed % MARK_EVERY == 0) {
      send(ctx, new OutboundMark(streamSid, "echo-" + echoed));
    }
  }

  private static void send(ChannelHandlerContext ctx, FromAgent message) {
    ctx.writeAndFlush(new TextWebSocketFrame(AgentMessages.encode(message)), ctx.voidPromise());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      upgraded = true;
      log.debug("demo agent: WebSocket from {}", ctx.channel().remoteAddress());
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!upgraded) {
      ctx.fireExceptionCaught(cause); // a plain HTTP connection: its own handlers decide
      return;
    }
    log.debug("demo agent: call {}: {}", callSid, cause.toString());
    ctx.close();
  }
}
