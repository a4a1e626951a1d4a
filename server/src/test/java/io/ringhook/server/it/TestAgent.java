package io.ringhook.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.ringhook.server.peers.Inbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A scriptable AI agent for integration tests: a real Netty WebSocket server on 127.0.0.1 that
 * speaks the agent protocol (Twilio Media Streams, docs/agent-protocol.md) as the server side.
 *
 * <p>Every WebSocket that ringhook opens becomes a {@link Stream} that records each message it
 * receives, in order and with its arrival time, plus two pseudo-events: {@value #CLOSE_FRAME}
 * when ringhook sends a close frame (its status in {@code status}) and {@value #DISCONNECTED}
 * when the TCP connection ends. The test sends {@code media}, {@code mark} and {@code clear}
 * through the stream and may close it. Close frames are answered as RFC 6455 asks.
 */
final class TestAgent implements AutoCloseable {
  /** The pseudo-event recorded when ringhook sends a WebSocket close frame. */
  static final String CLOSE_FRAME = "#close";
  /** The pseudo-event recorded when the TCP connection has closed. */
  static final String DISCONNECTED = "#disconnected";
  static final String PATH = "/stream";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One message from ringhook (or a pseudo-event), with {@link System#nanoTime()} at arrival and
   * the wall-clock time (to compare with the server's call records).
   */
  record Message(String event, JsonNode json, long receivedNanos, Instant receivedAt) {
    /** The text at {@code pointer} (e.g. {@code /media/chunk}), failing the test when absent. */
    String text(String pointer) {
      JsonNode n = json.at(pointer);
      if (n.isMissingNode() || n.isNull()) {
        throw new AssertionError("no " + pointer + " in " + json);
      }
      return n.asText();
    }

    @Override
    public String toString() {
      String s = json.toString();
      return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }
  }

  private final EventLoopGroup group;
  private final Channel server;
  private final ChannelGroup channels = new DefaultChannelGroup("test-agent", GlobalEventExecutor.INSTANCE);
  private final Inbox<Stream> streams = new Inbox<>();
  private volatile Consumer<Stream> onStart = s -> { };

  private TestAgent() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              channels.add(ch);
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                  new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                      .websocketPath(PATH).checkStartsWith(true)
                      .handleCloseFrames(false) // recorded and answered by the Stream
                      .build()),
                  new WebSocketFrameAggregator(1 << 20),
                  new Stream(ch));
            }
          })
          .bind(InetAddress.getLoopbackAddress(), 0).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** Starts an agent on a free loopback port. */
  static TestAgent start() {
    return new TestAgent();
  }

  /** The URL to configure as the agent's {@code url}, e.g. {@code ws://127.0.0.1:40123/stream?token=t}. */
  URI url() {
    return URI.create("ws://127.0.0.1:" + port() + PATH + "?token=it");
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Waits for the next stream (a completed WebSocket upgrade) not yet returned. */
  Stream awaitStream(Duration timeout) {
    return streams.take(s -> true, timeout, () -> "a WebSocket from ringhook on " + url());
  }

  /**
   * Runs {@code action} on the agent's event loop as soon as a stream's {@code start} has arrived,
   * before ringhook has answered the call: for greetings and early hang-ups.
   */
  TestAgent onStart(Consumer<Stream> action) {
    this.onStart = Objects.requireNonNull(action, "action");
    return this;
  }

  /** Every stream so far. */
  List<Stream> streams() {
    return streams.all();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    channels.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Override
  public String toString() {
    return "TestAgent[" + url() + ", " + streams.size() + " streams]";
  }

  /** One WebSocket from ringhook: one call's stream. */
  final class Stream extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final Channel channel;
    private final Inbox<Message> messages = new Inbox<>();
    private volatile String requestUri = "";
    private volatile boolean closeSent;

    private Stream(Channel channel) {
      super(true);
      this.channel = channel;
    }

    /** The request target of the upgrade (path and query). */
    String requestUri() {
      return requestUri;
    }

    /** Waits for the oldest not-yet-awaited message of {@code event} (e.g. {@code media}, {@link #CLOSE_FRAME}). */
    Message await(String event, Duration timeout) {
      return messages.take(m -> m.event().equals(event), timeout, () -> event + " on " + this);
    }

    /** Like {@link #await} but empty on timeout, to show that something does not come. */
    Optional<Message> poll(String event, Duration timeout) {
      try {
        return messages.poll(m -> m.event().equals(event), timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }

    /** Waits until {@code count} messages of {@code event} have arrived (awaited or not) and returns them all. */
    List<Message> awaitCount(String event, int count, Duration timeout) {
      messages.find(m -> messages(event).size() >= count, timeout,
          () -> count + " " + event + " messages (got " + messages(event).size() + ") on " + this);
      return messages(event);
    }

    /** Every message received so far, pseudo-events included. */
    List<Message> messages() {
      return messages.all();
    }

    /** Every message of {@code event} received so far. */
    List<Message> messages(String event) {
      return messages.all().stream().filter(m -> m.event().equals(event)).toList();
    }

    /** Sends {@code mulaw} as one {@code media} message. */
    void sendMedia(byte[] mulaw) {
      ObjectNode m = message("media");
      m.putObject("media").put("payload", Base64.getEncoder().encodeToString(mulaw));
      send(m);
    }

    /** Sends {@code mulaw} as {@code media} messages of {@code piece} bytes each, back to back. */
    void sendMedia(byte[] mulaw, int piece) {
      for (int at = 0; at < mulaw.length; at += piece) {
        sendMedia(java.util.Arrays.copyOfRange(mulaw, at, Math.min(mulaw.length, at + piece)));
      }
    }

    void sendMark(String name) {
      ObjectNode m = message("mark");
      m.putObject("mark").put("name", name);
      send(m);
    }

    void sendClear() {
      send(message("clear"));
    }

    /** Waits for the echo of the mark named {@code name}. */
    Message awaitMark(String name, Duration timeout) {
      return messages.take(m -> m.event().equals("mark") && m.json().at("/mark/name").asText().equals(name),
          timeout, () -> "the echo of mark " + name + " on " + this);
    }

    /** Sends any JSON text as is; from the test thread, returns once it has been written. */
    void sendText(String text) {
      write(new TextWebSocketFrame(text));
    }

    /** Sends {@code text} as one message in {@code parts} frames (a text frame and continuations). */
    void sendFragmented(String text, int parts) {
      int size = (text.length() + parts - 1) / parts;
      for (int i = 0; i < parts; i++) {
        String part = text.substring(Math.min(text.length(), i * size), Math.min(text.length(), (i + 1) * size));
        boolean last = i == parts - 1;
        write(i == 0 ? new TextWebSocketFrame(last, 0, part) : new ContinuationWebSocketFrame(last, 0, part));
      }
    }

    /** Sends a close frame with {@code status}; ringhook answers it and the connection ends. */
    void close(int status) {
      closeSent = true;
      write(new CloseWebSocketFrame(status, "test agent hangs up"));
    }

    private void write(WebSocketFrame frame) {
      var written = channel.writeAndFlush(frame);
      if (!channel.eventLoop().inEventLoop()) {
        written.syncUninterruptibly();
      }
    }

    private ObjectNode message(String event) {
      ObjectNode m = JsonNodeFactory.instance.objectNode().put("event", event);
      List<Message> start = messages("start");
      if (!start.isEmpty()) {
        m.put("streamSid", start.get(0).text("/streamSid"));
      }
      return m;
    }

    private void send(ObjectNode message) {
      // Synchronous, so a test's clock readings after a send follow the bytes leaving.
      sendText(message.toString());
    }

    private void record(String event, JsonNode json) {
      messages.add(new Message(event, json, System.nanoTime(), Instant.now()));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
        requestUri = hc.requestUri();
        streams.add(this);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text) {
        JsonNode json;
        try {
          json = JSON.readTree(text.text());
        } catch (IOException e) {
          throw new UncheckedIOException("ringhook sent a message that is not JSON: " + text.text(), e);
        }
        String event = json.path("event").asText("?");
        record(event, json);
        if (event.equals("start")) {
          onStart.accept(this);
        }
      } else if (frame instanceof CloseWebSocketFrame close) {
        record(CLOSE_FRAME, JsonNodeFactory.instance.objectNode()
            .put("event", CLOSE_FRAME).put("status", close.statusCode()).put("reason", close.reasonText()));
        if (closeSent) {
          ctx.close();
        } else {
          closeSent = true;
          ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
              .addListener(ChannelFutureListener.CLOSE);
        }
      } else {
        record("#binary", JsonNodeFactory.instance.objectNode().put("event", "#binary"));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      record(DISCONNECTED, JsonNodeFactory.instance.objectNode().put("event", DISCONNECTED));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      record("#error", JsonNodeFactory.instance.objectNode().put("event", "#error").put("error", cause.toString()));
      ctx.close();
    }

    @Override
    public String toString() {
      List<Message> all = messages.all();
      StringBuilder s = new StringBuilder("test agent stream " + requestUri + " (" + all.size() + " messages):");
      int media = 0;
      for (Message m : all) {
        if (m.event().equals("media")) {
          media++;
          continue;
        }
        if (media > 0) {
          s.append("\n    ").append(media).append(" x media");
          media = 0;
        }
        s.append("\n    ").append(m);
      }
      if (media > 0) {
        s.append("\n    ").append(media).append(" x media");
      }
      return s.toString();
    }
  }
}
