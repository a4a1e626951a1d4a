package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.ringhook.media.agent.AgentConnectException.Reason;
import io.ringhook.testing.EventLoops;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo agent, served by {@link DemoAgentServer} or mounted in another HTTP pipeline, reached by
 * a real {@link AgentConnection}.
 */
class DemoAgentTest {
  @RegisterExtension
  static final EventLoops LOOPS = new EventLoops(2);
  static final EventLoopGroup group = LOOPS.group();
  private DemoAgentServer server;
  private AgentConnection connection;
  private Channel foreign;

  @AfterEach
  void tearDown() {
    if (connection != null) {
      connection.close();
    }
    if (server != null) {
      server.close();
    }
    if (foreign != null) {
      foreign.close().syncUninterruptibly();
    }
  }

  private AgentConnection connect(URI url, RecordingListener listener) throws Exception {
    connection = AgentConnection.connect(url, Duration.ofSeconds(5), AgentConnectionTest.start(),
        listener, group).get(10, TimeUnit.SECONDS);
    return connection;
  }

  @Test
  void echoesTheCallersAudio() throws Exception {
    server = DemoAgentServer.start("127.0.0.1", 0, group);
    assertEquals(URI.create("ws://127.0.0.1:" + server.port() + "/agents/demo"), server.url());
    RecordingListener listener = new RecordingListener(group);
    connect(server.url(), listener);
    for (int i = 1; i <= 3; i++) {
      byte[] chunk = Tones.mulaw(400 * i, 160);
      connection.sendMedia(chunk, i, 20L * i);
      assertEquals("media:" + Base64.getEncoder().encodeToString(chunk), listener.take());
    }
    assertTrue(connection.isOpen());
  }

  @Test
  void marksEveryFiftyChunks() throws Exception {
    server = DemoAgentServer.start("127.0.0.1", 0, group);
    RecordingListener listener = new RecordingListener(group);
    connect(URI.create(server.url() + "?from=test"), listener);
    for (int i = 1; i <= DemoAgent.MARK_EVERY; i++) {
      connection.sendMedia(new byte[160], i, 20L * i);
    }
    for (int i = 1; i <= DemoAgent.MARK_EVERY; i++) {
      assertTrue(listener.take().startsWith("media:"), "echo " + i);
    }
    assertEquals("mark:echo-50", listener.take());
    connection.sendMark("echo-50"); // the bridge's echo of it is only logged
    connection.stop();
    listener.assertNothingMore(200);
  }

  @Test
  void otherPathsAre404() {
    server = DemoAgentServer.start("127.0.0.1", 0, group);
    ExecutionException e = assertThrows(ExecutionException.class, () -> AgentConnection.connect(
        URI.create("ws://127.0.0.1:" + server.port() + "/agents/other"), Duration.ofSeconds(5),
        AgentConnectionTest.start(), new RecordingListener(group), group)
        .get(10, TimeUnit.SECONDS));
    AgentConnectException c = assertInstanceOf(AgentConnectException.class, e.getCause());
    assertEquals(Reason.HTTP_STATUS, c.reason());
    assertEquals(404, c.httpStatus());
  }

  @Test
  void mountsInAnotherHttpPipelineAndLetsItsRequestsPass() throws Exception {
    foreign = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536));
            DemoAgent.addTo(ch.pipeline(), "/agents/demo");
            ch.pipeline().addLast(new Admin());
          }
        })
        .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    int port = ((InetSocketAddress) foreign.localAddress()).getPort();

    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(
          new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 200 OK", in.readLine());
    }

    RecordingListener listener = new RecordingListener(group);
    connect(URI.create("ws://127.0.0.1:" + port + "/agents/demo"), listener);
    connection.sendMedia(new byte[] {1, 2, 3}, 1, 20);
    assertEquals("media:AQID", listener.take());
    assertThrows(IllegalArgumentException.class,
        () -> DemoAgent.addTo(new EmbeddedChannel().pipeline(), "x"));
  }

  /** The host server's own handler: 200 to anything that reaches it. */
  private static final class Admin extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      DefaultFullHttpResponse r = new DefaultFullHttpResponse(request.protocolVersion(),
          HttpResponseStatus.OK, Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
