package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.buffer.Unpooled;
import io.ringhook.media.agent.AgentConnectException.Reason;
import io.ringhook.media.agent.AgentMessages.Media;
import io.ringhook.media.agent.AgentMessages.OutboundMark;
import io.ringhook.media.agent.AgentMessages.OutboundMedia;
import io.ringhook.media.agent.AgentMessages.Start;
import io.ringhook.media.agent.AgentMessages.Clear;
import io.ringhook.testing.EventLoops;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link AgentConnection} against a real local WebSocket agent that behaves, or does not. */
class AgentConnectionTest {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final EventLoops LOOPS = new EventLoops(2);
  static final EventLoopGroup group = LOOPS.group();

  private TestAgentServer agent;
  private AgentConnection connection;

  @AfterEach
  void tearDown() {
    if (connection != null) {
      connection.close();
    }
    if (agent != null) {
      agent.close();
    }
  }

  static AgentStart start() {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("customer_name", "Jane Doe");
    variables.put("plan", "gold");
    return new AgentStart("5f3a9c2e7d41b08a", "MZ4f6e1d2c3b4a59687766554433221100",
        "+12345678912", "+12345678913", variables);
  }

  private AgentConnection open(RecordingListener listener) throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.WEBSOCKET);
    connection = AgentConnection.connect(agent.url(), TIMEOUT, start(), listener, group)
        .get(10, TimeUnit.SECONDS);
    assertEquals("connected", JSON.readTree(agent.take()).get("event").textValue());
    assertEquals("start", JSON.readTree(agent.take()).get("event").textValue());
    return connection;
  }

  private static AgentConnectException failure(CompletableFuture<AgentConnection> f)
      throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.get(15, TimeUnit.SECONDS));
    return assertInstanceOf(AgentConnectException.class, e.getCause());
  }

  @Test
  void sendsConnectedThenStartBeforeCompleting() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.WEBSOCKET);
    URI url = URI.create(agent.url() + "?token=abc");
    RecordingListener listener = new RecordingListener(group);
    connection = AgentConnection.connect(url, TIMEOUT, start(), listener, group)
        .get(10, TimeUnit.SECONDS);
    assertTrue(connection.isOpen());
    assertEquals("upgrade:/stream?token=abc", agent.awaitEvent("upgrade:"));

    assertEquals(JSON.readTree("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}"),
        JSON.readTree(agent.take()));
    String startText = agent.take();
    Start s = (Start) AgentMessages.decodeToAgent(startText);
    assertEquals(1, s.sequenceNumber());
    assertEquals("MZ4f6e1d2c3b4a59687766554433221100", s.streamSid());
    assertEquals("5f3a9c2e7d41b08a", s.callSid());
    assertNull(s.accountSid());
    assertEquals(List.of("inbound"), s.tracks());
    assertEquals(AgentMessages.MediaFormat.MULAW_8000_MONO, s.mediaFormat());
    assertEquals(List.of("from_number", "to_number", "customer_name", "plan"),
        List.copyOf(s.customParameters().keySet()));
    assertEquals("+12345678912", s.customParameters().get("from_number"));
    assertEquals("Jane Doe", s.customParameters().get("customer_name"));
    assertEquals("MZ4f6e1d2c3b4a59687766554433221100",
        JSON.readTree(startText).get("streamSid").textValue());
    agent.assertNothingMore(100);
  }

  @Test
  void mediaFlowsBothWays() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    byte[] tone = Tones.mulaw(1000, 160);
    connection.sendMedia(tone, 1, 20);
    connection.sendMedia(new byte[160], 2, 40);
    Media first = (Media) AgentMessages.decodeToAgent(agent.take());
    assertEquals(new Media(2, start().streamSid(), "inbound", 1, 20, tone), first);
    Media second = (Media) AgentMessages.decodeToAgent(agent.take());
    assertEquals(3, second.sequenceNumber());
    assertEquals(2, second.chunk());
    assertEquals(40, second.timestamp());

    byte[] reply = Tones.mulaw(500, 800);
    agent.send(AgentMessages.encode(new OutboundMedia(start().streamSid(), reply)));
    assertEquals("media:" + Base64.getEncoder().encodeToString(reply), listener.take());
    assertNull(listener.offLoop, "listener called off the event loop");
  }

  @Test
  void fragmentedAndLargeMessagesArriveWhole() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    byte[] small = Tones.mulaw(700, 480);
    agent.sendFragmented(AgentMessages.encode(new OutboundMedia(null, small)), 3);
    assertEquals("media:" + Base64.getEncoder().encodeToString(small), listener.take());
    byte[] large = Tones.mulaw(300, 600_000); // 75 s of audio, 800 kB of base64
    agent.sendFragmented(AgentMessages.encode(new OutboundMedia(null, large)), 7);
    String event = listener.take();
    assertTrue(event.startsWith("media:"));
    assertArrayEquals(large, Base64.getDecoder().decode(event.substring("media:".length())));
    assertTrue(connection.isOpen());
  }

  @Test
  void aMessageOverOneMebibyteEndsTheConnection() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    byte[] huge = new byte[800_000]; // over 1 MiB once base64
    agent.sendFragmented(AgentMessages.encode(new OutboundMedia(null, huge)), 4);
    String closed = listener.take();
    assertTrue(closed.startsWith("closed:") && closed.contains("over 1048576 bytes"), closed);
    assertEquals("close:1009", agent.take());
    assertFalse(connection.isOpen());
  }

  @Test
  void aSingleFrameOverOneMebibyteEndsTheConnectionWith1009() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    byte[] huge = new byte[1_150_000]; // 1.5 MiB once base64, in one frame
    String message = AgentMessages.encode(new OutboundMedia(null, huge));
    assertTrue(message.length() > 1_500_000, "length " + message.length());
    agent.sendFragmented(message, 1);
    assertEquals("close:1009", agent.take());
    String closed = listener.take();
    assertTrue(closed.startsWith("closed:") && closed.contains("over 1048576 bytes")
        && closed.contains("1009 message too big"), closed);
    listener.assertNothingMore(200);
    assertFalse(connection.isOpen());
  }

  @Test
  void marksClearsAndDtmf() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    String sid = start().streamSid();
    agent.send(AgentMessages.encode(new OutboundMedia(sid, new byte[] {1, 2, 3})));
    agent.send(AgentMessages.encode(new OutboundMark(sid, "m1")));
    agent.send(AgentMessages.encode(new Clear(sid)));
    assertEquals("media:AQID", listener.take());
    assertEquals("mark:m1", listener.take());
    assertEquals("clear", listener.take());

    connection.sendMark("m1");
    connection.sendDtmf('5');
    connection.sendDtmf('a');
    assertEquals(JSON.readTree("{\"event\":\"mark\",\"sequenceNumber\":\"2\",\"streamSid\":\""
        + sid + "\",\"mark\":{\"name\":\"m1\"}}"), JSON.readTree(agent.take()));
    assertEquals(JSON.readTree("{\"event\":\"dtmf\",\"streamSid\":\"" + sid
        + "\",\"sequenceNumber\":\"3\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"5\"}}"),
        JSON.readTree(agent.take()));
    assertEquals("A", JSON.readTree(agent.take()).get("dtmf").get("digit").textValue());
    assertThrows(IllegalArgumentException.class, () -> connection.sendDtmf('x'));
  }

  @Test
  void malformedUnknownAndBinaryMessagesAreIgnored() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    agent.send("this is not json");
    agent.send("{\"event\":\"media\",\"media\":{\"payload\":\"%%%\"}}");
    agent.send("{\"event\":\"hangup\"}");
    agent.sendFrame(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2})));
    agent.send("{\"event\":\"mark\",\"mark\":{\"name\":\"still here\"}}");
    assertEquals("mark:still here", listener.take());
    assertTrue(connection.isOpen());
  }

  @Test
  void theAgentClosingIsReportedOnce() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    agent.sendFrame(new CloseWebSocketFrame(1000, "bye"));
    String closed = listener.take();
    assertTrue(closed.startsWith("closed:agent closed the WebSocket (1000"), closed);
    assertTrue(closed.contains("bye"), closed);
    assertEquals("close:1000", agent.take(), "the close frame is answered");
    assertEquals("inactive", agent.awaitEvent("inactive"));
    assertFalse(connection.isOpen());
    connection.sendMedia(new byte[160], 1, 0); // ignored, no exception
    connection.stop();
    listener.assertNothingMore(200);
    agent.assertNothingMore(0);
  }

  @Test
  void aDroppedConnectionIsReportedOnce() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    agent.connection().close().syncUninterruptibly(); // TCP close, no close frame
    assertEquals("closed:connection to the agent dropped", listener.take());
    listener.assertNothingMore(200);
  }

  @Test
  void stopSendsStopThenANormalClose() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    connection.sendMedia(new byte[160], 1, 20);
    connection.stop();
    connection.stop();
    connection.sendMark("late"); // ignored after stop
    assertEquals("media", JSON.readTree(agent.take()).get("event").textValue());
    JsonNode stop = JSON.readTree(agent.take());
    assertEquals(JSON.readTree("{\"event\":\"stop\",\"sequenceNumber\":\"3\",\"stop\":"
        + "{\"callSid\":\"5f3a9c2e7d41b08a\"},\"streamSid\":\"" + start().streamSid() + "\"}"),
        stop);
    assertEquals("close:1000", agent.take());
    assertEquals("inactive", agent.awaitEvent("inactive"));
    assertFalse(connection.isOpen());
    listener.assertNothingMore(200);
  }

  @Test
  void closeClosesWithoutStop() throws Exception {
    RecordingListener listener = new RecordingListener(group);
    open(listener);
    connection.close();
    assertEquals("close:1000", agent.take());
    assertEquals("inactive", agent.awaitEvent("inactive"));
    listener.assertNothingMore(200);
  }

  @Test
  void pingsAreAnswered() throws Exception {
    open(new RecordingListener(group));
    agent.sendFrame(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {7})));
    assertEquals("pong", agent.awaitEvent("pong"));
  }

  @Test
  void aQuietAgentIsPingedAndADeafOneDropped() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.WEBSOCKET);
    RecordingListener listener = new RecordingListener(group);
    NettyAgentConnection.Timing fast =
        new NettyAgentConnection.Timing(Duration.ofMillis(150), Duration.ofSeconds(1));
    connection = AgentConnector.connect(agent.url(), TIMEOUT, start(), listener, group, null,
        fast).get(10, TimeUnit.SECONDS);
    assertEquals("ping", agent.awaitEvent("ping"));
    assertEquals("ping", agent.awaitEvent("ping"), "pinged again while quiet");
    assertTrue(connection.isOpen(), "pongs keep it open");
    listener.assertNothingMore(0);

    agent.connection().config().setAutoRead(false); // reads nothing more: no pongs
    String closed = listener.take();
    assertTrue(closed.startsWith("closed:agent answered nothing, not even a ping"), closed);
  }

  @Test
  void aRefusedConnectionFailsFast() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    AgentConnectException e = failure(AgentConnection.connect(
        URI.create("ws://127.0.0.1:" + port + "/stream"), Duration.ofSeconds(10), start(),
        new RecordingListener(group), group));
    assertEquals(Reason.REFUSED, e.reason());
    assertEquals("agent_refused", e.outcome());
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "not fast");
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
  }

  @Test
  void anAgentThatNeverAnswersFailsAtTheTimeout() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.SILENT);
    long t0 = System.nanoTime();
    AgentConnectException e = failure(AgentConnection.connect(agent.url(),
        Duration.ofMillis(400), start(), new RecordingListener(group), group));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(Reason.TIMEOUT, e.reason());
    assertTrue(e.getMessage().contains("WebSocket handshake"), e.getMessage());
    assertTrue(millis >= 390 && millis < 4000, millis + " ms");
    assertEquals("inactive", agent.awaitEvent("inactive"), "the attempt is abandoned");
  }

  @Test
  void anHttpErrorToTheUpgradeFailsWithItsStatus() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.NOT_FOUND);
    AgentConnectException e = failure(AgentConnection.connect(agent.url(), TIMEOUT, start(),
        new RecordingListener(group), group));
    assertEquals(Reason.HTTP_STATUS, e.reason());
    assertEquals(404, e.httpStatus());
    assertTrue(e.getMessage().contains("404"), e.getMessage());
  }

  @Test
  void cancellingTheConnectAbandonsIt() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.SILENT);
    CompletableFuture<AgentConnection> f = AgentConnection.connect(agent.url(),
        Duration.ofSeconds(30), start(), new RecordingListener(group), group);
    agent.awaitEvent("active");
    f.cancel(false);
    assertEquals("inactive", agent.awaitEvent("inactive"));
  }

  @Test
  void badArgumentsAreRefusedAtOnce() {
    RecordingListener l = new RecordingListener(group);
    assertThrows(IllegalArgumentException.class, () -> AgentConnection.connect(
        URI.create("http://127.0.0.1/x"), TIMEOUT, start(), l, group));
    assertThrows(IllegalArgumentException.class, () -> AgentConnection.connect(
        URI.create("ws:/nohost"), TIMEOUT, start(), l, group));
    assertThrows(IllegalArgumentException.class, () -> AgentConnection.connect(
        URI.create("ws://127.0.0.1/x"), Duration.ZERO, start(), l, group));
  }
}
