package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.delayed;
import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.ScriptedServer.status;
import static io.ringhook.webhook.WebhookClientTest.FAST;
import static io.ringhook.webhook.WebhookClientTest.await;
import static io.ringhook.webhook.WebhookClientTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.ringhook.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Cancellation, connection reuse, load, idle connections, close and the attempt log. */
class WebhookClientLifecycleTest {

  private final TestResources resources = new TestResources();

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }


  private static Map<String, String> keyValues(ILoggingEvent e) {
    return e.getKeyValuePairs().stream()
        .collect(Collectors.toMap(kv -> kv.key, kv -> String.valueOf(kv.value)));
  }

  @Test
  void cancelDuringAnAttemptClosesItsConnectionAndStopsRetrying() throws Exception {
    ScriptedServer server = resources.server(sequence(new ScriptedServer.Hang(), json(200, "{}")));
    // One connection per origin: a leaked connection slot would block the second call.
    WebhookClient client = resources.client(WebhookClient.builder().maxConnectionsPerOrigin(1));

    CompletableFuture<WebhookResult> f = client.call(request(server.url("/hook")), FAST);
    server.awaitRequests(1, Duration.ofSeconds(5));
    assertTrue(f.cancel(true));

    assertTrue(server.awaitClosed(1, Duration.ofSeconds(5)), "the server saw the connection close");
    // Many backoffs of 20 ms: a retry would arrive within the window.
    Await.holds("no further attempt", Duration.ofMillis(300), () -> server.requests().size() == 1);

    WebhookResult next = await(client.call(request(server.url("/hook")), FAST));
    assertInstanceOf(WebhookResult.Success.class, next);
    assertEquals(2, server.connections());
  }

  @Test
  void cancelDuringTheBackoffStopsTheNextAttempt() throws Exception {
    ScriptedServer server = resources.server(sequence(status(500)));
    WebhookClient client = resources.client(WebhookClient.builder());
    WebhookPolicy slowBackoff = FAST.withBackoff(List.of(Duration.ofMillis(400)));

    try (CapturedLog log = new CapturedLog("io.ringhook.webhook.attempts")) {
      CompletableFuture<WebhookResult> f = client.call(request(server.url("/hook")), slowBackoff);
      ILoggingEvent first = log.next(); // attempt 1 is over: the backoff has begun
      assertEquals("status", keyValues(first).get("outcome"));
      assertTrue(f.cancel(true));

      Await.holds("no attempt after the cancel (twice the backoff)", Duration.ofMillis(800),
          () -> server.requests().size() == 1);
      assertTrue(log.events.isEmpty(), "nothing was in flight to log: " + log.events);
    }
  }

  @Test
  void sequentialCallsToOneOriginReuseOneKeepAliveConnection() throws Exception {
    ScriptedServer server = resources.server(sequence(json(200, "{}")));
    WebhookClient client = resources.client(WebhookClient.builder());

    await(client.call(request(server.url("/a")), FAST));
    await(client.call(request(server.url("/b")), FAST));
    await(client.call(request(server.url("/c")), FAST));

    assertEquals(1, server.connections(), "one TCP connection");
    assertEquals(List.of(1, 1, 1), server.requests().stream().map(ScriptedServer.Received::connection).toList());
  }

  @Test
  void staleKeepAliveConnectionIsResentOnceOnAFreshOneWithinTheAttempt() throws Exception {
    ScriptedServer server =
        resources.server(sequence(json(200, "{}"), new ScriptedServer.Close(), json(200, "{}")));
    WebhookClient client = resources.client(WebhookClient.builder());

    await(client.call(request(server.url("/hook")), FAST));
    WebhookResult second = await(client.call(request(server.url("/hook")), FAST));

    assertInstanceOf(WebhookResult.Success.class, second);
    assertEquals(1, second.attempts().size(), "still attempt 1");
    List<ScriptedServer.Received> seen = server.requests();
    assertEquals(3, seen.size());
    assertEquals(List.of(1, 1, 2), seen.stream().map(ScriptedServer.Received::connection).toList());
    assertEquals("1", seen.get(2).header("X-Ringhook-Attempt"));
  }

  @Test
  void aClosedFreshConnectionIsAFailedAttemptNotAResend() throws Exception {
    ScriptedServer server = resources.server(sequence(new ScriptedServer.Close(), json(200, "{}")));
    WebhookClient client = resources.client(WebhookClient.builder());

    WebhookResult r = await(client.call(request(server.url("/hook")), FAST));

    assertEquals(2, r.attempts().size());
    assertEquals(FailureReason.IO, r.attempts().get(0).failure().orElseThrow());
  }

  @Test
  void aThousandCallsWaitAtOnceOnAFewThreadsAndBoundedConnections() throws Exception {
    ScriptedServer server = resources.server(sequence(delayed(Duration.ofMillis(20), 200, "{\"dynamic_variables\":{\"n\":1}}")));
    WebhookClient client = resources.client(WebhookClient.builder().maxConnectionsPerOrigin(100));
    CapturedLog poolLog = new CapturedLog("io.ringhook.webhook.OriginPool");
    resources.add(poolLog);
    int threadsBefore = Thread.activeCount();

    List<CompletableFuture<WebhookResult>> calls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      calls.add(client.call(
          WebhookRequest.unsigned("call-" + i, "+1555000" + i, "+12345678913", server.url("/hook")),
          FAST.withTimeout(Duration.ofSeconds(30)).withRetries(0)));
    }
    int threadsDuring = Thread.activeCount();
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    for (CompletableFuture<WebhookResult> c : calls) {
      assertEquals(Map.of("n", "1"), assertInstanceOf(WebhookResult.Success.class, c.join()).variables());
    }
    assertEquals(1000, server.requests().size());
    assertTrue(server.connections() <= 100, "at most 100 connections: " + server.connections());
    assertTrue(threadsDuring - threadsBefore < 10, "no thread per call: " + threadsBefore + " -> " + threadsDuring);
    assertTrue(poolLog.next().getFormattedMessage().contains("has all its 100 connections busy"),
        "the wait for a connection is logged");
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    ScriptedServer server = resources.server(sequence(json(200, "{}")));
    WebhookClient client = resources.client(WebhookClient.builder().idleTimeout(Duration.ofMillis(300)));

    await(client.call(request(server.url("/hook")), FAST));

    assertTrue(server.awaitClosed(1, Duration.ofSeconds(5)), "the client closed the idle connection");
  }

  @Test
  void closingTheClientFailsCallsInFlightAndRefusesNewOnes() throws Exception {
    ScriptedServer server = resources.server(sequence(new ScriptedServer.Hang()));
    WebhookClient client = WebhookClient.builder().build();

    CompletableFuture<WebhookResult> f = client.call(request(server.url("/hook")), FAST);
    server.awaitRequests(1, Duration.ofSeconds(5));
    client.close();

    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertTrue(server.awaitClosed(1, Duration.ofSeconds(5)));
    assertThrows(ExecutionException.class,
        () -> client.call(request(server.url("/hook")), FAST).get(1, TimeUnit.SECONDS));
  }

  @Test
  void eachAttemptIsOneStructuredLogLine() throws Exception {
    ScriptedServer server = resources.server(sequence(status(500), json(200, "{}")));
    WebhookClient client = resources.client(WebhookClient.builder());

    try (CapturedLog log = new CapturedLog("io.ringhook.webhook.attempts")) {
      await(client.call(request(server.url("/hook")), FAST));

      Map<String, String> first = keyValues(log.next());
      Map<String, String> second = keyValues(log.next());
      assertEquals("a84b4c76e66710@10.0.0.1", first.get("call_id"));
      assertEquals("+12345678913", first.get("number"));
      assertEquals("1", first.get("attempt"));
      assertEquals("status", first.get("outcome"));
      assertEquals("500", first.get("status"));
      assertNotNull(first.get("latency_ms"));
      assertEquals("2", second.get("attempt"));
      assertEquals("ok", second.get("outcome"));
      assertEquals("200", second.get("status"));
      assertTrue(log.events.isEmpty());
    }
  }
}
