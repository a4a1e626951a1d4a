package io.ringhook.media.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringhook.media.agent.AgentConnectException.Reason;
import io.ringhook.media.agent.AgentMessages.Clear;
import io.ringhook.media.agent.AgentMessages.Connected;
import io.ringhook.media.agent.AgentMessages.Dtmf;
import io.ringhook.media.agent.AgentMessages.FromAgent;
import io.ringhook.media.agent.AgentMessages.Mark;
import io.ringhook.media.agent.AgentMessages.Media;
import io.ringhook.media.agent.AgentMessages.MediaFormat;
import io.ringhook.media.agent.AgentMessages.OutboundMark;
import io.ringhook.media.agent.AgentMessages.OutboundMedia;
import io.ringhook.media.agent.AgentMessages.Start;
import io.ringhook.media.agent.AgentMessages.Stop;
import io.ringhook.media.agent.AgentMessages.ToAgent;
import io.ringhook.media.agent.AgentTransport.Endpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty implementation of {@link AgentConnection}: one channel, its state confined to the
 * channel's event loop (the fields marked as such), so it needs no locks. {@link AgentConnector}
 * opens it.
 */
final class NettyAgentConnection implements AgentConnection {
  static final Logger log = LoggerFactory.getLogger(AgentConnection.class);
  /** Messages an agent may send before {@code start} is out; more are dropped. */
  static final int MAX_EARLY_MESSAGES = 1000;
  static final String DTMF_DIGITS = "0123456789*#ABCD";
  private static final int MALFORMED_WARNINGS = 3;

  /** The connection's timers, shortened by tests. */
  record Timing(Duration pingAfterIdle, Duration closeGrace) {
    static final Timing DEFAULT = new Timing(Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  private final Endpoint endpoint;
  private final AgentStart start;
  private final AgentListener listener;
  private final Timing timing;
  private final String who;
  private final CompletableFuture<AgentConnection> ready = new CompletableFuture<>();
  /** Set by whoever ends the stream first: {@link #stop}/{@link #close}, or the channel closing. */
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Channel channel;
  private volatile boolean open;
  private volatile String stage = "TCP connect";

  // ---- event-loop state ----
  private long lastSequence;
  private boolean started;
  private List<FromAgent> early = new ArrayList<>();
  private boolean closeFrameSent;
  private String closeReason;
  private ScheduledFuture<?> closeTimer;
  private long mediaDropped;
  private boolean dropping;
  private int malformed;
  private boolean binaryLogged;

  NettyAgentConnection(Endpoint endpoint, AgentStart start, AgentListener listener,
      Timing timing) {
    this.endpoint = endpoint;
    this.start = start;
    this.listener = listener;
    this.timing = timing;
    this.who = "call " + start.callId() + " agent " + endpoint.loggable();
  }

  // ---- for AgentConnector ----

  void attach(Channel channel) {
    this.channel = channel;
  }

  CompletableFuture<AgentConnection> ready() {
    return ready;
  }

  String who() {
    return who;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  Timing timing() {
    return timing;
  }

  String stage() {
    return stage;
  }

  void stage(String stage) {
    this.stage = stage;
  }

  // ---- AgentConnection ----

  @Override
  public AgentStart start() {
    return start;
  }

  @Override
  public void sendMedia(byte[] mulaw, long chunk, long timestampMillis) {
    Objects.requireNonNull(mulaw, "mulaw");
    if (chunk < 0 || timestampMillis < 0) {
      throw new IllegalArgumentException(
          "chunk and timestamp must not be negative, got " + chunk + ", " + timestampMillis);
    }
    if (ended.get()) {
      return;
    }
    Channel ch = channel;
    if (ch != null && ch.eventLoop().inEventLoop()) {
      writeMedia(mulaw, chunk, timestampMillis); // the call's RTP runs on this loop: no copy, no hop
      return;
    }
    byte[] payload = mulaw.clone();
    onLoop(() -> writeMedia(payload, chunk, timestampMillis));
  }

  /** Writes one {@code media} message, or drops it (counted) while the agent reads too slowly. */
  private void writeMedia(byte[] payload, long chunk, long timestampMillis) {
    if (!canSend()) {
      return;
    }
    if (!channel.isWritable()) {
      mediaDropped++;
      if (!dropping) {
        dropping = true;
        log.warn("{}: the agent reads too slowly; dropping caller audio", who);
      }
      return;
    }
    if (dropping) {
      dropping = false;
      log.info("{}: the agent caught up; {} media messages dropped so far", who, mediaDropped);
    }
    long seq = ++lastSequence;
    ByteBuf json = MediaJson.media(channel.alloc(), seq, start.streamSid(), AgentMessages.INBOUND,
        chunk, timestampMillis, payload);
    if (json == null) {
      write(new Media(seq, start.streamSid(), AgentMessages.INBOUND, chunk, timestampMillis,
          payload));
    } else {
      channel.writeAndFlush(new TextWebSocketFrame(json), channel.voidPromise());
    }
  }

  @Override
  public void sendDtmf(char digit) {
    char d = Character.toUpperCase(digit);
    if (DTMF_DIGITS.indexOf(d) < 0) {
      throw new IllegalArgumentException("not a DTMF digit: '" + digit + "'");
    }
    send(seq -> new Dtmf(seq, start.streamSid(), AgentMessages.INBOUND_TRACK, String.valueOf(d)));
  }

  @Override
  public void sendMark(String name) {
    Objects.requireNonNull(name, "name");
    send(seq -> new Mark(seq, start.streamSid(), name));
  }

  @Override
  public void stop() {
    end(true);
  }

  @Override
  public void close() {
    end(false);
  }

  @Override
  public boolean isOpen() {
    return open && !ended.get();
  }

  @Override
  public String toString() {
    return "AgentConnection[" + who + ", stream " + start.streamSid() + "]";
  }

  private void end(boolean sendStop) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    onLoop(() -> {
      if (!ready.isDone()) {
        fail(new AgentConnectException(Reason.IO, who + ": stream ended before it had started",
            null));
        return;
      }
      if (sendStop && canSend()) {
        // Not flushed: the close frame below flushes both, one write instead of two.
        channel.write(frame(new Stop(++lastSequence, start.streamSid(), start.accountSid(), start.callId())),
            channel.voidPromise());
      }
      log.debug("{}: ringhook ends the stream{}", who, sendStop ? " (stop sent)" : "");
      closeGracefully(WebSocketCloseStatus.NORMAL_CLOSURE);
    });
  }

  private void send(LongFunction<ToAgent> message) {
    if (ended.get()) {
      return;
    }
    onLoop(() -> {
      if (canSend()) {
        write(message.apply(++lastSequence));
      }
    });
  }

  private boolean canSend() {
    return started && !closeFrameSent && channel.isActive();
  }

  private void write(ToAgent message) {
    channel.writeAndFlush(frame(message), channel.voidPromise());
  }

  private static TextWebSocketFrame frame(ToAgent message) {
    return new TextWebSocketFrame(AgentMessages.encode(message));
  }

  /** Sends a close frame and closes on the agent's answering close frame, or after a grace. */
  private void closeGracefully(WebSocketCloseStatus status) {
    Channel ch = channel;
    if (!started || closeFrameSent || !ch.isActive()) {
      ch.close();
      return;
    }
    closeFrameSent = true;
    ch.writeAndFlush(new CloseWebSocketFrame(status), ch.voidPromise());
    closeTimer = ch.eventLoop().schedule(() -> {
      ch.close();
    }, timing.closeGrace().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void onLoop(Runnable task) {
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    if (ch.eventLoop().inEventLoop()) {
      task.run();
      return;
    }
    try {
      ch.eventLoop().execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("{}: event loop shut down; dropped a task", who);
    }
  }

  void fail(AgentConnectException e) {
    if (ready.completeExceptionally(e)) {
      log.info("{} ({})", e.getMessage(), e.outcome());
      Channel ch = channel;
      if (ch != null) {
        ch.close();
      }
    }
  }

  // ---- called by AgentClientHandler, on the event loop ----

  /** Checks the upgrade response; true when the WebSocket is up. */
  boolean onUpgradeResponse(Channel ch, WebSocketClientHandshaker handshaker,
      FullHttpResponse response) {
    try {
      handshaker.finishHandshake(ch, response);
      return true;
    } catch (WebSocketHandshakeException e) {
      int status = response.status().code();
      if (status != 101) {
        fail(new AgentConnectException(Reason.HTTP_STATUS, status, who
            + " answered the WebSocket upgrade with HTTP " + response.status(), e));
      } else {
        fail(new AgentConnectException(Reason.HANDSHAKE, who + ": invalid WebSocket handshake: "
            + e.getMessage(), e));
      }
      return false;
    }
  }

  /** The WebSocket is up: sends {@code connected} and {@code start}, then completes the future. */
  void onHandshake() {
    if (ready.isDone()) {
      channel.close();
      return;
    }
    stage = "sending start";
    channel.write(frame(Connected.CALL_1_0_0),
        channel.voidPromise());
    Start message = new Start(++lastSequence, start.streamSid(), start.accountSid(),
        start.callId(), List.of(AgentMessages.INBOUND), start.customParameters(),
        MediaFormat.MULAW_8000_MONO);
    channel.writeAndFlush(frame(message))
        .addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) {
            fail(AgentConnector.classify(f.cause(), this));
            return;
          }
          started = true;
          open = true;
          if (!ready.complete(this)) {
            started = false;
            open = false;
            channel.close();
            return;
          }
          log.debug("{}: stream {} started", who, start.streamSid());
          List<FromAgent> queued = early;
          early = null;
          queued.forEach(this::deliver);
        });
  }

  /** A text message from the agent: the common ones parsed from the bytes, the rest as a tree. */
  void onText(ByteBuf utf8) {
    FromAgent message = MediaJson.fromAgent(utf8);
    if (message == null) {
      try {
        message = AgentMessages.decodeFromAgent(utf8.toString(StandardCharsets.UTF_8));
      } catch (AgentMessageException e) {
        if (e.kind() == AgentMessageException.Kind.UNKNOWN_EVENT) {
          log.debug("{}: ignored: {}", who, e.getMessage());
        } else if (++malformed <= MALFORMED_WARNINGS) {
          log.warn("{}: ignored a malformed message: {}", who, e.getMessage());
        } else {
          log.debug("{}: ignored a malformed message ({} so far): {}", who, malformed,
              e.getMessage());
        }
        return;
      }
    }
    if (early != null) {
      if (early.size() < MAX_EARLY_MESSAGES) {
        early.add(message);
      } else {
        log.warn("{}: dropped a message sent before the stream had started", who);
      }
      return;
    }
    deliver(message);
  }

  private void deliver(FromAgent message) {
    if (ended.get()) {
      return;
    }
    try {
      if (message instanceof OutboundMedia m) {
        if (m.payload().length > 0) {
          listener.onMedia(m.payload());
        }
      } else if (message instanceof OutboundMark m) {
        listener.onMark(m.name());
      } else if (message instanceof Clear) {
        listener.onClear();
      }
    } catch (RuntimeException e) {
      log.warn("{}: listener failed on {}", who, message, e);
    }
  }

  void onBinary() {
    if (!binaryLogged) {
      binaryLogged = true;
      log.warn("{}: ignored a binary message (the protocol's messages are JSON text)", who);
    }
  }

  void onCloseFrame(int status, String reason) {
    if (closeReason == null) {
      closeReason = "agent closed the WebSocket (" + describe(status, reason) + ")";
    }
    Channel ch = channel;
    if (closeFrameSent || !ch.isActive()) {
      ch.close();
      return;
    }
    closeFrameSent = true;
    // RFC 6455 section 5.5.1: answer with a close frame, echoing the status code.
    CloseWebSocketFrame answer;
    try {
      answer = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, "");
    } catch (IllegalArgumentException e) {
      answer = new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);
    }
    ch.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  void onIdle(IdleStateEvent event) {
    if (!started || closeFrameSent) {
      return;
    }
    if (event.isFirst()) {
      channel.writeAndFlush(new PingWebSocketFrame(
          Unpooled.copiedBuffer("ringhook", StandardCharsets.US_ASCII)), channel.voidPromise());
    } else {
      closeReason = "agent answered nothing, not even a ping, for "
          + timing.pingAfterIdle().multipliedBy(2).toMillis() + " ms";
      channel.close();
    }
  }

  void onError(Throwable cause) {
    if (!ready.isDone()) {
      fail(AgentConnector.classify(cause, this));
      return;
    }
    Channel ch = channel;
    if (!ch.isActive()) {
      return;
    }
    // A message over the limit in several frames (the aggregator's TooLongFrameException), or in
    // one frame, or another protocol violation (the decoder's CorruptedWebSocketFrameException):
    // answered with a close frame written from the channel, so it passes the frame encoder.
    WebSocketCloseStatus status = null;
    if (cause instanceof TooLongFrameException) {
      status = WebSocketCloseStatus.MESSAGE_TOO_BIG;
    } else if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      status = corrupt.closeStatus();
    }
    if (status != null && started && !closeFrameSent) {
      if (closeReason == null) {
        closeReason = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
            ? "agent sent a message over " + MAX_MESSAGE_BYTES + " bytes (closed with "
                + describe(status.code(), null) + ")"
            : "agent broke the WebSocket protocol: " + cause.getMessage() + " (closed with "
                + describe(status.code(), null) + ")";
      }
      log.debug("{}: {}", who, closeReason, cause);
      closeFrameSent = true;
      ch.writeAndFlush(new CloseWebSocketFrame(status))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (closeReason == null) {
      closeReason = "connection to the agent failed: " + cause;
    }
    log.debug("{}: {}", who, closeReason, cause);
    ch.close();
  }

  void onInactive() {
    open = false;
    if (closeTimer != null) {
      closeTimer.cancel(false);
    }
    if (!ready.isDone()) {
      fail(new AgentConnectException(Reason.CLOSED, who + ": "
          + (closeReason != null ? closeReason : "connection closed") + " during " + stage, null));
      return;
    }
    early = null;
    if (!started) {
      return;
    }
    if (mediaDropped > 0) {
      log.info("{}: {} media messages were dropped for a slow agent", who, mediaDropped);
    }
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    String reason = closeReason != null ? closeReason : "connection to the agent dropped";
    log.info("{}: {}", who, reason);
    try {
      listener.onClosed(reason);
    } catch (RuntimeException e) {
      log.warn("{}: listener failed on close", who, e);
    }
  }

  private static String describe(int status, String reason) {
    if (status < 0) {
      return "no status";
    }
    String text = switch (status) {
      case 1000 -> "normal closure";
      case 1001 -> "going away";
      case 1002 -> "protocol error";
      case 1003 -> "unsupported data";
      case 1007 -> "invalid data";
      case 1008 -> "policy violation";
      case 1009 -> "message too big";
      case 1011 -> "internal error";
      default -> "status";
    };
    return status + " " + text + (reason == null || reason.isEmpty() ? "" : ": " + reason);
  }
}
