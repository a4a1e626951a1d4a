package io.ringhook.server.http;

import io.ringhook.server.peers.LogCapture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.ringhook.media.agent.AgentMessages;
import io.ringhook.media.agent.DemoAgent;
import io.ringhook.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP port over real sockets: routes answering from other threads, request order, WebSocket paths. */
class HttpFrontendTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private HttpFrontend frontend;

  @AfterEach
  void stop() {
    if (frontend != null) {
      frontend.close();
    }
    worker.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontend.port() + pathAndQuery))
        .timeout(Duration.ofSeconds(5)).build();
    return client.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withoutRoutesOnlyHealthAnswers() throws Exception {
    frontend = HttpFrontend.start("127.0.0.1", 0, group, Map.of());
    HttpResponse<String> ok = get("/healthz");
    assertEquals(200, ok.statusCode());
    assertEquals("ok\n", ok.body());
    HttpResponse<String> missing = get("/nope");
    assertEquals(404, missing.statusCode());
    assertEquals("application/json", missing.headers().firstValue("content-type").orElseThrow());
    assertEquals("{\"error\":\"no such endpoint: /nope\"}", missing.body());
  }

  @Test
  void aReplyCompletedOnAnotherThreadIsWrittenWithItsHeaders() throws Exception {
    List<HttpRequestView> seen = new CopyOnWriteArrayList<>();
    frontend = HttpFrontend.start("127.0.0.1", 0, group, Map.of(), request -> {
      seen.add(request);
      return CompletableFuture.supplyAsync(() -> HttpReply.json(201, "{\"thread\":\""
          + Thread.currentThread().getName() + "\"}").withHeader("X-Test", "yes"), worker);
    });
    HttpResponse<String> r = get("/v1/numbers/%2B15551234567?from=+15550001111&note=a%20b+c");
    assertEquals(201, r.statusCode());
    assertEquals("yes", r.headers().firstValue("x-test").orElseThrow());
    assertFalse(r.body().contains("nioEventLoop"), r.body());
    HttpRequestView v = seen.get(0);
    assertEquals("GET", v.method());
    assertEquals("/v1/numbers/%2B15551234567", v.path());
    assertEquals(List.of("v1", "numbers", "+15551234567"), v.segments());
    // '+' in a query is a plus, not form encoding's space.
    assertEquals(List.of("+15550001111"), v.query().get("from"));
    assertEquals(List.of("a b+c"), v.query().get("note"));
    assertTrue(v.remote().getAddress().isLoopbackAddress());
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderAndOneAtATime() throws Exception {
    CompletableFuture<HttpReply> slow = new CompletableFuture<>();
    List<String> handled = new CopyOnWriteArrayList<>();
    frontend = HttpFrontend.start("127.0.0.1", 0, group, Map.of(), request -> {
      handled.add(request.path());
      CompletionStage<HttpReply> r = request.path().equals("/slow") ? slow
          : CompletableFuture.completedFuture(HttpReply.text(200, "fast"));
      return r;
    });
    try (Socket s = new Socket("127.0.0.1", frontend.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Await.until("the first request handed over", Duration.ofSeconds(5), () -> !handled.isEmpty());
      Await.holds("the second request is not handed over while the first is unanswered", Duration.ofMillis(200),
          () -> handled.equals(List.of("/slow")));
      worker.execute(() -> slow.complete(HttpReply.text(200, "slow")));
      String all = readAll(s.getInputStream());
      int first = all.indexOf("\r\n\r\nslow");
      int second = all.indexOf("\r\n\r\nfast");
      assertTrue(first > 0 && second > first, all);
      assertEquals(List.of("/slow", "/fast"), handled);
      assertTrue(all.contains("connection: close"), all); // and then closed, or readAll would time out
    }
  }

  @Test
  void manyPipelinedRequestsBehindASlowOneAreAllAnsweredInOrder() throws Exception {
    CompletableFuture<HttpReply> slow = new CompletableFuture<>();
    frontend = HttpFrontend.start("127.0.0.1", 0, group, Map.of(), request -> request.path().equals("/slow") ? slow
        : CompletableFuture.completedFuture(HttpReply.text(200, "r" + request.path().substring(1) + ";")));
    int n = Router.MAX_WAITING * 4; // past the point where the connection stops being read
    StringBuilder requests = new StringBuilder("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 0; i < n; i++) {
      requests.append("GET /").append(i).append(" HTTP/1.1\r\nHost: x\r\n")
          .append(i == n - 1 ? "Connection: close\r\n" : "").append("\r\n");
    }
    try (Socket s = new Socket("127.0.0.1", frontend.port())) {
      s.setSoTimeout(10000);
      s.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      worker.execute(() -> slow.complete(HttpReply.text(200, "slow;")));
      String all = readAll(s.getInputStream());
      int at = all.indexOf("slow;");
      assertTrue(at > 0, all);
      for (int i = 0; i < n; i++) {
        int next = all.indexOf("r" + i + ";", at);
        assertTrue(next > at, "reply " + i + " missing or out of order");
        at = next;
      }
    }
  }

  @Test
  void noContentHasNoBodyAndKeepsTheConnection() throws Exception {
    frontend = HttpFrontend.start("127.0.0.1", 0, group, Map.of(),
        request -> CompletableFuture.completedFuture(HttpReply.noContent()));
    try (Socket s = new Socket("127.0.0.1", frontend.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(("DELETE /a HTTP/1.1\r\nHost: x\r\n\r\nDELETE /b HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String all = readAll(s.getInputStream());
      assertEquals(2, all.split("HTTP/1.1 204 No Content", -1).length - 1, all);
      assertFalse(all.toLowerCase().contains("content-length"), all);
    }
  }

  @Test
  void aFailedRouteIsA500AndABadEscapeA400() throws Exception {
    frontend = HttpFrontend.start("127.0.0.1", 0, group, Map.of(),
        request -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
    try (LogCapture logs = LogCapture.of(Router.class)) {
      HttpResponse<String> r = get("/x");
      assertEquals(500, r.statusCode());
      assertEquals("{\"error\":\"internal error (see ringhook's log)\"}", r.body());
      assertEquals(java.util.List.of("WARN HTTP request failed inside ringhook [java.lang.IllegalStateException]"),
          logs.atLeast(ch.qos.logback.classic.Level.WARN));
    }
    try (Socket s = new Socket("127.0.0.1", frontend.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET /v1/numbers/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      String all = readAll(s.getInputStream());
      assertTrue(all.startsWith("HTTP/1.1 400 Bad Request"), all);
      assertTrue(all.contains("{\"error\":\"malformed URL:"), all);
    }
  }

  @Test
  void aBodyOverTheLimitIsAJson413() throws Exception {
    frontend = HttpFrontend.start("127.0.0.1", 0, group, Map.of(),
        request -> CompletableFuture.completedFuture(HttpReply.text(200, "read " + request.body().length)));
    HttpResponse<String> big = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + frontend.port() + "/v1/numbers/+15550000001"))
        .PUT(HttpRequest.BodyPublishers.ofString("x".repeat(64 * 1024 + 1))).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(413, big.statusCode());
    assertEquals("{\"error\":\"the request body is larger than 64 KiB\"}", big.body());
    HttpResponse<String> fits = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + frontend.port() + "/v1/numbers/+15550000001"))
        .PUT(HttpRequest.BodyPublishers.ofString("x".repeat(64 * 1024))).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("read 65536", fits.body());
  }

  @Test
  void webSocketPathsStillTurnTheConnectionOver() throws Exception {
    frontend = HttpFrontend.start("127.0.0.1", 0, group,
        Map.of(DemoAgent.PATH, p -> DemoAgent.addTo(p, DemoAgent.PATH)),
        request -> CompletableFuture.completedFuture(HttpReply.text(200, "plain")));
    CompletableFuture<String> firstText = new CompletableFuture<>();
    WebSocket ws = client.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + frontend.port() + DemoAgent.PATH), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            firstText.complete(data.toString());
            return null;
          }
        }).get(5, TimeUnit.SECONDS);
    ws.sendText(AgentMessages.encode(new AgentMessages.Media(1, "MZ1", AgentMessages.INBOUND, 1, 0,
        new byte[] {1, 2, 3})), true).get(5, TimeUnit.SECONDS);
    // The demo agent echoes the caller's audio.
    String echo = firstText.get(5, TimeUnit.SECONDS);
    assertEquals(new AgentMessages.OutboundMedia("MZ1", new byte[] {1, 2, 3}), AgentMessages.decodeFromAgent(echo));
    ws.abort();
    assertEquals("plain", get("/anything").body());
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    in.transferTo(b);
    return b.toString(StandardCharsets.UTF_8);
  }
}
