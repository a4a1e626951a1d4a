package io.ringhook.webhook;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The webhook attempts of one call: attempt, backoff, attempt, ... until success, the policy's
 * last attempt, or the caller hanging up.
 *
 * <p>All state lives on one event loop: outside events (cancel, close) hop there, so no locks.
 */
final class CallRun {

  /** One line per attempt, under a stable logger name that log configurations can target. */
  static final Logger ATTEMPT_LOG = LoggerFactory.getLogger("io.ringhook.webhook.attempts");

  private final NettyWebhookClient client;
  private final WebhookRequest request;
  private final WebhookPolicy policy;
  private final Origin origin;
  private final WebhookMessage message;
  private final CompletableFuture<WebhookResult> future;
  private final EventLoop loop;
  private final AttemptListener listener;
  private final List<WebhookResult.Attempt> attempts = new ArrayList<>();

  private AttemptRun current;
  private ScheduledFuture<?> backoff;
  private boolean finished;

  CallRun(
      NettyWebhookClient client,
      WebhookRequest request,
      WebhookPolicy policy,
      Origin origin,
      WebhookMessage message,
      CompletableFuture<WebhookResult> future,
      EventLoop loop,
      AttemptListener listener) {
    this.client = client;
    this.listener = listener;
    this.request = request;
    this.policy = policy;
    this.origin = origin;
    this.message = message;
    this.future = future;
    this.loop = loop;
  }

  NettyWebhookClient client() {
    return client;
  }

  WebhookRequest request() {
    return request;
  }

  WebhookPolicy policy() {
    return policy;
  }

  Origin origin() {
    return origin;
  }

  WebhookMessage message() {
    return message;
  }

  EventLoop loop() {
    return loop;
  }

  void start() {
    onLoop(() -> attempt(1));
  }

  /** The returned future was cancelled: the caller hung up. */
  void cancel() {
    onLoop(() -> stop("cancelled"));
  }

  /** The client is closing: stop, and fail the future since nobody will ever complete it. */
  void shutdown() {
    onLoop(
        () -> {
          stop("client closed");
          future.completeExceptionally(new IllegalStateException("webhook client closed"));
        });
  }

  private void attempt(int n) {
    backoff = null;
    if (finished) {
      return;
    }
    current = new AttemptRun(this, n);
    current.start();
  }

  /** Called by the current attempt, once, on the loop. */
  void onAttemptDone(AttemptRun run, WebhookResult.Attempt a, WebhookResult.Answer answer) {
    if (finished || run != current) {
      return;
    }
    current = null;
    attempts.add(a);
    logAttempt(a);
    notifyListener(a);
    if (a.succeeded()) {
      complete(new WebhookResult.Success(answer, attempts));
    } else if (a.number() < policy.maxAttempts()) {
      int next = a.number() + 1;
      Duration pause = policy.backoffBefore(next);
      backoff = loop.schedule(() -> attempt(next), pause.toNanos(), TimeUnit.NANOSECONDS);
    } else {
      complete(new WebhookResult.Failure(attempts));
    }
  }

  private void stop(String why) {
    if (finished) {
      return;
    }
    finished = true;
    client.forget(this);
    if (backoff != null) {
      backoff.cancel(false);
      backoff = null;
    }
    if (current != null) {
      AttemptRun aborted = current;
      Duration latency = aborted.abort();
      Duration queued = aborted.queued();
      ATTEMPT_LOG
          .atInfo()
          .addKeyValue("call_id", request.callId())
          .addKeyValue("number", request.toNumber())
          .addKeyValue("attempt", current.number())
          .addKeyValue("outcome", why)
          .addKeyValue("latency_ms", latency.toMillis())
          .addKeyValue("queued_ms", queued.toMillis())
          .log("webhook attempt call_id={} number={} attempt={} outcome={} latency_ms={}"
                  + " queued_ms={}",
              request.callId(), request.toNumber(), current.number(), why, latency.toMillis(),
              queued.toMillis());
      current = null;
      notifyListener(
          new WebhookResult.Attempt(
              aborted.number(), aborted.started(), latency, OptionalInt.empty(),
              Optional.of(FailureReason.CANCELLED), why, queued));
    }
    notifyFinished();
  }

  /** The listener is the caller's code: its trouble must not stop the call's own bookkeeping. */
  private void notifyListener(WebhookResult.Attempt a) {
    try {
      listener.attemptEnded(a);
    } catch (RuntimeException e) {
      ATTEMPT_LOG.warn("attempt listener failed for call_id={} attempt={}",
          request.callId(), a.number(), e);
    }
  }

  private void complete(WebhookResult result) {
    finished = true;
    client.forget(this);
    notifyFinished();
    future.complete(result);
  }

  private void notifyFinished() {
    try {
      listener.finished();
    } catch (RuntimeException e) {
      ATTEMPT_LOG.warn("attempt listener failed for call_id={} at the end", request.callId(), e);
    }
  }

  private void logAttempt(WebhookResult.Attempt a) {
    String outcome = a.failure().map(FailureReason::label).orElse("ok");
    String status = a.status().isPresent() ? String.valueOf(a.status().getAsInt()) : "-";
    ATTEMPT_LOG
        .atLevel(a.succeeded() ? Level.INFO : Level.WARN)
        .addKeyValue("call_id", request.callId())
        .addKeyValue("number", request.toNumber())
        .addKeyValue("attempt", a.number())
        .addKeyValue("outcome", outcome)
        .addKeyValue("status", status)
        .addKeyValue("latency_ms", a.latency().toMillis())
        .addKeyValue("queued_ms", a.queued().toMillis())
        .addKeyValue("detail", a.detail())
        .log("webhook attempt call_id={} number={} attempt={}/{} outcome={} status={}"
                + " latency_ms={} queued_ms={} url={} detail={}",
            request.callId(), request.toNumber(), a.number(), policy.maxAttempts(), outcome,
            status, a.latency().toMillis(), a.queued().toMillis(), origin, Logfmt.quote(a.detail()));
  }

  /** Runs on the call's loop: at once when already there, else queued. */
  void onLoop(Runnable r) {
    if (!EventLoops.run(loop, r)) {
      // The event loop is shutting down: the client was closed, which fails the future.
      future.completeExceptionally(new IllegalStateException("webhook client closed"));
    }
  }
}
