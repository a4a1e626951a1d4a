package io.ringhook.server;

import io.ringhook.server.admin.CallsJson;
import io.ringhook.server.admin.EffectiveNumber;
import io.ringhook.server.admin.NumberDirectory;
import io.ringhook.server.config.Secret;
import io.ringhook.server.records.CallEndedDelivery;
import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.RecordStore;
import io.ringhook.sip.CallDecision;
import io.ringhook.webhook.WebhookFormat;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each call's post-call {@code call_ended} event to its number's URL, in the background.
 *
 * <p>The event's state lives in the records store: the record is stored with a pending delivery
 * (through the records writer's bounded queue, never on the call's path), and this deliverer claims
 * due deliveries from the store, POSTs them (signed as the inbound webhook is), and stores each
 * attempt and the new state: delivered on a 2xx, else pending again after a backoff, failed after
 * the last attempt. So a restart loses nothing: what was pending is sent after start. Everything
 * runs on one thread of its own plus the JDK HTTP client's two; at most {@link #MAX_IN_FLIGHT} POSTs
 * are out at once.
 */
final class CallEndedDeliverer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CallEndedDeliverer.class);

  /** The pause after attempt 1, 2, ...; one attempt more than pauses: 6 attempts over about 13 minutes. */
  static final List<Duration> BACKOFF = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10));
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** How long a claimed delivery stays claimed: longer than an attempt can take. */
  static final Duration LEASE = TIMEOUT.plusSeconds(50);
  static final Duration POLL = Duration.ofMillis(500);
  static final int MAX_IN_FLIGHT = 32;

  private final RecordStore store;
  private final NumberDirectory numbers;
  private final Clock clock;
  private final String userAgent;
  private final Consumer<CallEndedDelivery.State> results;
  private final ScheduledExecutorService thread;
  private final ExecutorService httpThreads;
  private final HttpClient http;
  private int inFlight; // on the deliverer's thread only

  /**
   * @param results told of each attempt's resulting state (metrics); must not block
   */
  CallEndedDeliverer(RecordStore store, NumberDirectory numbers, Clock clock, String version,
                     Consumer<CallEndedDelivery.State> results) {
    this.store = store;
    this.numbers = numbers;
    this.clock = clock;
    this.userAgent = "ringhook/" + version;
    this.results = results;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ringhook-call-ended"));
    this.httpThreads = Executors.newFixedThreadPool(2, r -> daemon(r, "ringhook-call-ended-http"));
    this.http = HttpClient.newBuilder().executor(httpThreads).connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Starts polling the store for due deliveries (those left pending by a previous run first). */
  CallEndedDeliverer start() {
    thread.scheduleWithFixedDelay(this::poll, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void poll() {
    if (inFlight >= MAX_IN_FLIGHT) {
      return;
    }
    Instant now = clock.instant();
    try {
      for (String callId : store.claimDueDeliveries(now, now.plus(LEASE), MAX_IN_FLIGHT - inFlight)) {
        Optional<CallRecord> record = store.call(callId);
        if (record.isPresent() && record.get().callEnded().isPresent()) {
          send(record.get(), record.get().callEnded().get());
        }
      }
    } catch (RecordStore.StoreException e) {
      LOG.warn("post-call deliveries: {}", e.getMessage()); // the store is down: the next poll tries again
    } catch (RuntimeException e) {
      LOG.error("post-call delivery poll failed", e);
    }
  }

  private void send(CallRecord record, CallEndedDelivery delivery) {
    byte[] body = CallsJson.callEndedEvent(record);
    int attempt = delivery.attempts().size() + 1;
    HttpRequest.Builder req = HttpRequest.newBuilder(delivery.url()).timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header("User-Agent", userAgent)
        .header("X-Ringhook-Event", "call_ended")
        .header("X-Ringhook-Call-Id", record.callId())
        .header("X-Ringhook-Attempt", String.valueOf(attempt))
        .header("Idempotency-Key", idempotencyKey(record.callId()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    Instant started = clock.instant();
    // The number's secret now, not when the call ended: secrets are never stored with records.
    secret(record.toNumber()).ifPresent(s -> req.header(WebhookFormat.SIGNATURE_HEADER,
        WebhookFormat.signature(s, started.getEpochSecond(), body)));
    long t0 = System.nanoTime();
    inFlight++;
    http.sendAsync(req.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) ->
        thread.execute(() -> {
          inFlight--;
          Duration latency = Duration.ofNanos(System.nanoTime() - t0);
          CallDecision.Attempt a = response != null
              ? new CallDecision.Attempt(attempt, started, latency, OptionalInt.of(response.statusCode()),
                  response.statusCode() / 100 == 2 ? Optional.empty() : Optional.of("status"), "")
              : new CallDecision.Attempt(attempt, started, latency, OptionalInt.empty(), Optional.of(failure(error)),
                  "");
          attempted(record, attempt, a);
        }));
  }

  private void attempted(CallRecord record, int attempt, CallDecision.Attempt a) {
    CallEndedDelivery.State state;
    Optional<Instant> next = Optional.empty();
    if (a.failure().isEmpty()) {
      state = CallEndedDelivery.State.DELIVERED;
    } else if (attempt <= BACKOFF.size()) {
      state = CallEndedDelivery.State.PENDING;
      next = Optional.of(clock.instant().plus(BACKOFF.get(attempt - 1)));
    } else {
      state = CallEndedDelivery.State.FAILED;
    }
    LOG.atLevel(a.failure().isEmpty() ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN)
        .log("call_ended call_id={} attempt={} outcome={} status={} latency_ms={} state={}", record.callId(), attempt,
            a.failure().orElse("ok"), a.status().isPresent() ? a.status().getAsInt() : "-", a.latency().toMillis(),
            state.value());
    try {
      store.deliveryAttempted(record.callId(), a, state, next);
    } catch (RecordStore.StoreException e) {
      // Not stored: the lease runs out and the event is sent again (receivers dedupe by Idempotency-Key).
      LOG.warn("post-call delivery of {}: {}", record.callId(), e.getMessage());
    }
    results.accept(state);
  }

  private Optional<String> secret(String toNumber) {
    return numbers.lookup(toNumber).flatMap(EffectiveNumber::secret).map(Secret::value);
  }

  /** The same key on every attempt and replay of one call's event; another than its inbound_call key. */
  static String idempotencyKey(String callId) {
    return UUID.nameUUIDFromBytes(("ringhook:call_ended:" + callId).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String failure(Throwable error) {
    Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (t instanceof HttpTimeoutException) {
      return "timeout";
    }
    if (t instanceof ConnectException) {
      return "refused";
    }
    return t instanceof IOException ? "io" : "error";
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Stops sending; what is pending stays in the store for the next start. */
  @Override
  public void close() {
    thread.shutdownNow();
    httpThreads.shutdownNow();
  }
}
