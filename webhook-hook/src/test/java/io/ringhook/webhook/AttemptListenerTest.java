package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.ScriptedServer.status;
import static io.ringhook.webhook.WebhookClientTest.CLOCK;
import static io.ringhook.webhook.WebhookClientTest.FAST;
import static io.ringhook.webhook.WebhookClientTest.await;
import static io.ringhook.webhook.WebhookClientTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-attempt listener, against a real local HTTP server. */
class AttemptListenerTest {

  private final WebhookClient client = WebhookClient.builder().clock(CLOCK).build();
  private ScriptedServer server;

  @AfterEach
  void tearDown() {
    client.close();
    if (server != null) {
      server.close();
    }
  }

  /** Remembers each attempt and the thread that reported it. */
  private static final class Recorder implements AttemptListener {
    final BlockingQueue<WebhookResult.Attempt> attempts = new LinkedBlockingQueue<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    /** How many attempts had been reported at each call of finished(). */
    final BlockingQueue<Integer> finished = new LinkedBlockingQueue<>();
    private int reported; // on the call's event loop only

    @Override
    public void attemptEnded(WebhookResult.Attempt attempt) {
      threads.add(Thread.currentThread().getName());
      reported++;
      attempts.add(attempt);
    }

    @Override
    public void finished() {
      finished.add(reported);
    }

    WebhookResult.Attempt next() throws InterruptedException {
      WebhookResult.Attempt a = attempts.poll(10, TimeUnit.SECONDS);
      assertTrue(a != null, "expected an attempt to be reported");
      return a;
    }
  }

  @Test
  void aFailingWebhookReportsEveryAttemptInOrderBeforeTheResult() throws Exception {
    server = ScriptedServer.start(sequence(status(500)));
    Recorder rec = new Recorder();
    List<Integer> seenWhenCompleted = new CopyOnWriteArrayList<>();

    CompletableFuture<WebhookResult> f =
        client.call(request(server.url("/hook")), FAST, rec)
            .whenComplete((r, e) -> seenWhenCompleted.add(rec.attempts.size()));
    WebhookResult.Failure failure = assertInstanceOf(WebhookResult.Failure.class, await(f));

    List<WebhookResult.Attempt> seen = List.copyOf(rec.attempts);
    assertEquals(failure.attempts(), seen, "the listener saw exactly the result's attempts");
    assertEquals(List.of(1, 2, 3, 4), seen.stream().map(WebhookResult.Attempt::number).toList());
    seen.forEach(a -> assertEquals(Optional.of(FailureReason.STATUS), a.failure()));
    seen.forEach(a -> assertEquals(OptionalInt.of(500), a.status()));
    assertEquals(List.of(4), seenWhenCompleted, "all four reported before the future completed");
    rec.threads.forEach(t -> assertTrue(t.startsWith("ringhook-webhook"), "on a client loop: " + t));
  }

  @Test
  void aRetriedSuccessReportsTheFailureThenTheSuccess() throws Exception {
    server = ScriptedServer.start(sequence(status(503), json(200, "{\"dynamic_variables\":{}}")));
    Recorder rec = new Recorder();

    WebhookResult r = await(client.call(request(server.url("/hook")), FAST, rec));

    assertInstanceOf(WebhookResult.Success.class, r);
    WebhookResult.Attempt first = rec.next();
    WebhookResult.Attempt second = rec.next();
    assertEquals(1, first.number());
    assertEquals(Optional.of(FailureReason.STATUS), first.failure());
    assertEquals(2, second.number());
    assertTrue(second.succeeded());
    assertEquals(OptionalInt.of(200), second.status());
    assertEquals(r.lastAttempt(), second);
    assertNull(rec.attempts.poll(), "nothing more");
  }

  @Test
  void cancellingReportsTheAttemptInFlightAsCancelled() throws Exception {
    server = ScriptedServer.start(sequence(status(500), new ScriptedServer.Hang()));
    Recorder rec = new Recorder();

    CompletableFuture<WebhookResult> f = client.call(request(server.url("/hook")), FAST, rec);
    WebhookResult.Attempt first = rec.next();
    server.awaitRequests(2, Duration.ofSeconds(10)); // attempt 2 hangs, in flight
    assertTrue(f.cancel(true));

    WebhookResult.Attempt aborted = rec.next();
    assertEquals(Optional.of(FailureReason.STATUS), first.failure());
    assertEquals(2, aborted.number());
    assertEquals(Optional.of(FailureReason.CANCELLED), aborted.failure());
    assertEquals(OptionalInt.empty(), aborted.status());
    assertEquals("cancelled", aborted.detail());
    assertEquals(CLOCK.instant(), aborted.start());
    assertTrue(!aborted.latency().isNegative() && aborted.latency().compareTo(Duration.ofSeconds(5)) < 0,
        "latency up to the cancel: " + aborted.latency());
    assertTrue(server.awaitClosed(server.requests().get(1).connection(), Duration.ofSeconds(5)));
    assertNull(rec.attempts.poll(300, TimeUnit.MILLISECONDS), "no further attempt reported");
  }

  @Test
  void cancellingDuringTheBackoffReportsNothingMore() throws Exception {
    server = ScriptedServer.start(sequence(status(500)));
    Recorder rec = new Recorder();

    CompletableFuture<WebhookResult> f =
        client.call(request(server.url("/hook")),
            FAST.withBackoff(List.of(Duration.ofMillis(400))), rec);
    assertEquals(1, rec.next().number());
    assertTrue(f.cancel(true));

    assertNull(rec.attempts.poll(800, TimeUnit.MILLISECONDS), "nothing was in flight");
    assertEquals(List.of(1), List.copyOf(rec.finished), "told once that no attempt will come");
  }

  @Test
  void finishedComesOnceAfterTheLastAttemptWhetherTheCallEndsOrIsCancelled() throws Exception {
    server = ScriptedServer.start(sequence(status(500), new ScriptedServer.Hang()));
    Recorder cancelled = new Recorder();
    CompletableFuture<WebhookResult> f = client.call(request(server.url("/hook")), FAST, cancelled);
    cancelled.next();
    server.awaitRequests(2, Duration.ofSeconds(10));
    assertTrue(f.cancel(true));
    assertEquals(2, cancelled.finished.poll(10, TimeUnit.SECONDS), "after the aborted attempt");

    Recorder done = new Recorder();
    ScriptedServer ok = ScriptedServer.start(sequence(json(200, "{}")));
    try {
      await(client.call(request(ok.url("/hook")), FAST, done));
      assertEquals(1, done.finished.poll(10, TimeUnit.SECONDS));
    } finally {
      ok.close();
    }
    assertNull(cancelled.finished.poll(200, TimeUnit.MILLISECONDS), "only once");
    assertNull(done.finished.poll(), "only once");
  }

  @Test
  void closingTheClientReportsTheAttemptInFlightAsCancelled() throws Exception {
    server = ScriptedServer.start(sequence(new ScriptedServer.Hang()));
    Recorder rec = new Recorder();

    client.call(request(server.url("/hook")), FAST, rec);
    server.awaitRequests(1, Duration.ofSeconds(10));
    client.close();

    WebhookResult.Attempt a = rec.next();
    assertEquals(1, a.number());
    assertEquals(Optional.of(FailureReason.CANCELLED), a.failure());
    assertEquals("client closed", a.detail());
  }

  @Test
  void aThrowingListenerDoesNotStopTheCall() throws Exception {
    server = ScriptedServer.start(sequence(status(500), json(200, "{}")));

    WebhookResult r =
        await(client.call(request(server.url("/hook")), FAST, a -> {
          throw new IllegalStateException("listener trouble");
        }));

    assertEquals(2, assertInstanceOf(WebhookResult.Success.class, r).attempts().size());
  }
}
