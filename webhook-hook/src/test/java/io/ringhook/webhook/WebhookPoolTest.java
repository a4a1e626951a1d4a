package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.WebhookClientTest.FAST;
import static io.ringhook.webhook.WebhookClientTest.FROM;
import static io.ringhook.webhook.WebhookClientTest.TO;
import static io.ringhook.webhook.WebhookClientTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.testing.Await;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 pool against a real keep-alive server: connections reused, a wait for a full
 * pool's connection not charged to the deadline, and one endpoint's queue not holding back
 * another's on the same host.
 */
class WebhookPoolTest {

  private final TestResources resources = new TestResources();

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }


  private static WebhookRequest call(String id, URI url) {
    return WebhookRequest.unsigned(id, FROM, TO, url);
  }

  @Test
  void tenThousandSequentialRequestsUseOneConnection() throws Exception {
    ScriptedServer server = resources.server(sequence(json(200, "{}")));
    WebhookClient client = resources.client(WebhookClient.builder());

    for (int i = 0; i < 10_000; i++) {
      assertInstanceOf(WebhookResult.Success.class,
          await(client.call(call("c" + i, server.url("/hook")), FAST)));
    }

    assertEquals(10_000, server.requests().size());
    assertEquals(1, server.connections(), "one keep-alive connection carried them all");
    assertEquals(1, client.poolStats().connectionsOpened());
  }

  @Test
  void tenThousandRequestsEightAtATimeOpenAtMostEightConnections() throws Exception {
    ScriptedServer server = resources.server(sequence(json(200, "{}")));
    WebhookClient client = resources.client(WebhookClient.builder());
    Semaphore inFlight = new Semaphore(8);
    List<CompletableFuture<WebhookResult>> calls = new ArrayList<>();

    for (int i = 0; i < 10_000; i++) {
      inFlight.acquire();
      CompletableFuture<WebhookResult> f = client.call(call("c" + i, server.url("/hook")), FAST);
      f.whenComplete((r, e) -> inFlight.release());
      calls.add(f);
    }
    for (CompletableFuture<WebhookResult> f : calls) {
      assertInstanceOf(WebhookResult.Success.class, await(f));
    }

    assertEquals(10_000, server.requests().size());
    assertTrue(server.connections() <= 8, "no more connections than the concurrency: "
        + server.connections());
  }

  @Test
  void aSlowPathDoesNotDelayAFastPathOnTheSameHost() throws Exception {
    CompletableFuture<ScriptedServer.Action> slowAnswer = new CompletableFuture<>();
    ScriptedServer server =
        resources.server((q, i) -> q.uri().equals("/slow") ? new ScriptedServer.Deferred(slowAnswer)
            : json(200, "{}"));
    WebhookClient client = resources.client(WebhookClient.builder());
    List<CompletableFuture<WebhookResult>> slow = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      slow.add(client.call(call("slow-" + i, server.url("/slow")),
          FAST.withTimeout(Duration.ofSeconds(30))));
    }
    server.awaitRequests(50, Duration.ofSeconds(10));

    WebhookResult fast = await(client.call(call("fast", server.url("/fast")), FAST));

    assertInstanceOf(WebhookResult.Success.class, fast);
    assertEquals(Duration.ZERO, fast.lastAttempt().queued(), "it did not wait for a connection");
    assertTrue(slow.stream().noneMatch(CompletableFuture::isDone), "the slow ones still wait");
    slowAnswer.complete(json(200, "{}"));
    for (CompletableFuture<WebhookResult> f : slow) {
      assertInstanceOf(WebhookResult.Success.class, await(f));
    }
  }

  @Test
  void waitingForAConnectionIsNotChargedToTheDeadline() throws Exception {
    CompletableFuture<ScriptedServer.Action> firstAnswer = new CompletableFuture<>();
    ScriptedServer server =
        resources.server((q, i) -> i == 0 ? new ScriptedServer.Deferred(firstAnswer) : json(200, "{}"));
    // A ticker the test moves: the queued time is exactly what the test says it waited.
    AtomicLong now = new AtomicLong();
    WebhookClient client =
        resources.client(WebhookClient.builder().maxConnectionsPerOrigin(1).ticker(now::get));
    WebhookPolicy shortDeadline = FAST.withTimeout(Duration.ofMillis(200)).withRetries(0);
    CapturedLog poolLog = new CapturedLog("io.ringhook.webhook.OriginPool");
    resources.add(poolLog);

    CompletableFuture<WebhookResult> first =
        client.call(call("first", server.url("/hook")), FAST.withTimeout(Duration.ofSeconds(30)));
    server.awaitRequests(1, Duration.ofSeconds(10));
    CompletableFuture<WebhookResult> second = client.call(call("second", server.url("/hook")),
        shortDeadline);
    awaitWaiters(client, 1);
    now.addAndGet(Duration.ofSeconds(3).toNanos());
    // Several of its deadlines go by in real time too: a deadline that counted the wait would fire.
    Thread.sleep(600);
    assertEquals(1, server.requests().size(), "the second request waits for the connection");
    assertTrue(!second.isDone(), "the wait is not a timeout");
    firstAnswer.complete(json(200, "{}"));

    WebhookResult r = await(second);
    assertInstanceOf(WebhookResult.Success.class, r, r::toString);
    assertEquals(1, r.attempts().size());
    assertEquals(Duration.ofSeconds(3), r.lastAttempt().queued());
    assertInstanceOf(WebhookResult.Success.class, await(first));
    assertEquals(1, server.connections(), "the second request went on the first's connection");
    assertEquals(0, client.poolStats().waiters());
    String warning = poolLog.next().getFormattedMessage();
    assertTrue(warning.contains("has all its 1 connections busy")
        && warning.contains("webhook.max_connections_per_origin"), warning);
  }

  @Test
  void aFullPoolServesWaitingEndpointsInTurn() throws Exception {
    CompletableFuture<ScriptedServer.Action> firstAnswer = new CompletableFuture<>();
    ScriptedServer server =
        resources.server((q, i) -> i == 0 ? new ScriptedServer.Deferred(firstAnswer) : json(200, "{}"));
    WebhookClient client = resources.client(WebhookClient.builder().maxConnectionsPerOrigin(1));
    WebhookPolicy patient = FAST.withTimeout(Duration.ofSeconds(30));
    resources.add(new CapturedLog("io.ringhook.webhook.OriginPool")); // the pool-full warning

    CompletableFuture<WebhookResult> first = client.call(call("first", server.url("/a")), patient);
    server.awaitRequests(1, Duration.ofSeconds(10));
    List<CompletableFuture<WebhookResult>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(client.call(call("slow-" + i, server.url("/slow")), patient));
      awaitWaiters(client, i + 1);
    }
    queued.add(client.call(call("fast", server.url("/fast")), patient));
    awaitWaiters(client, 4);
    firstAnswer.complete(json(200, "{}"));
    for (CompletableFuture<WebhookResult> f : queued) {
      assertInstanceOf(WebhookResult.Success.class, await(f));
    }
    await(first);

    List<String> order = server.requests().stream().map(ScriptedServer.Received::uri).toList();
    assertEquals(List.of("/a", "/slow", "/fast", "/slow", "/slow"), order,
        "/fast went second, not behind every /slow");
  }

  private static void awaitWaiters(WebhookClient client, int n) {
    Await.until(() -> "expected " + n + " waiters: " + client.poolStats(), Duration.ofSeconds(10),
        () -> client.poolStats().waiters() == n);
  }
}
