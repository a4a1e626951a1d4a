package io.ringhook.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringhook.media.RtpTotals;
import io.ringhook.media.agent.AgentMediaBridge;
import io.ringhook.media.agent.AgentMediaBridge.AgentTarget;
import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.InboundCall;
import io.ringhook.webhook.FailureReason;
import io.ringhook.webhook.WebhookClient;
import io.ringhook.webhook.WebhookResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * The server's metrics: calls, webhook attempts, agent connections, RTP and call records, plus JVM
 * basics, in one Micrometer registry that renders the Prometheus text format ({@link #scrape()}).
 *
 * <p>Every name starts with {@code ringhook_}; docs/metrics.md lists them. Recording methods are
 * cheap and never block, so they may be called from Netty and JAIN-SIP threads. The {@code bind*}
 * methods register meters read at scrape time; call each once at start-up.
 */
public final class RingMetrics implements AutoCloseable {

  /**
   * Buckets for webhook and agent connect latency: 10 ms to 10 s, the webhook's default deadline
   * (an attempt cut off by that deadline lands just past it, in {@code +Inf}).
   */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
      Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** Origins shown one by one in the per-origin pool gauges; the rest are summed as {@code other}. */
  static final int MAX_ORIGIN_SERIES = 20;

  /** Tag values are code-made labels; anything else collapses to one value, so series stay few. */
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]{1,40}");

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  // The per-call meters, by tag value. Registered on first use, as before, then reused: a
  // builder().register() per event rebuilds the id, its tags and (for timers) the histogram
  // configuration, and looks it up in the registry, on the SIP and Netty threads, several times a call.
  private final ConcurrentHashMap<String, Counter> callsByOutcome = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> attemptsByResult = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> agentConnectByResult = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> callEndedByResult = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> declinesByStatus = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> circuitByState = new ConcurrentHashMap<>();
  private volatile Timer webhookLatency;
  private volatile Timer poolWait;
  private volatile Supplier<WebhookClient.PoolStats> pools;
  /** The per-origin figures of the last scrape, by [origin, protocol]: {connections, waiters}. */
  private volatile Map<List<String>, int[]> originFigures = Map.of();
  /** The per-origin gauges registered, by [origin, protocol]; changed by scrapes only. */
  private final Map<List<String>, List<Gauge>> originGauges = new LinkedHashMap<>();

  /** A registry with the ringhook meters and the JVM's (memory, GC, threads, classes, CPU, uptime, files). */
  public RingMetrics() {
    this(true);
  }

  /**
   * @param jvm whether to add the JVM and process meters
   */
  public RingMetrics(boolean jvm) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    if (jvm) {
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      new FileDescriptorMetrics().bindTo(registry);
      gc = new JvmGcMetrics();
      gc.bindTo(registry);
    } else {
      gc = null;
    }
  }

  /** The underlying registry, for meters of other components. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The metrics in the Prometheus text format (version 0.0.4), as {@code GET /metrics} serves them. */
  public String scrape() {
    refreshOrigins();
    return registry.scrape();
  }

  /**
   * The content type of {@link #scrape()}'s text, for the HTTP response.
   */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  // ---- calls ----

  /** Counts one ended call by its outcome: {@code ringhook_calls_total{outcome}}. */
  public void callEnded(CallRecord record) {
    Objects.requireNonNull(record, "record");
    callsByOutcome.computeIfAbsent(label(record.outcome()), outcome -> Counter.builder("ringhook.calls")
        .description("Calls ended, by outcome (INVITEs refused before they became a call included)")
        .tag("outcome", outcome)
        .register(registry))
        .increment();
    if (record.outcome().equals(io.ringhook.sip.Outcome.DECLINED.value())) {
      declined(record.finalStatus());
    }
  }

  /**
   * Counts a declined call by the status the webhook named: {@code ringhook_declines_total{status}}
   * (also among {@code ringhook_calls_total{outcome="declined"}}).
   */
  private void declined(int status) {
    declinesByStatus.computeIfAbsent(String.valueOf(status), s -> Counter.builder("ringhook.declines")
        .description("Calls the webhook declined, by the SIP status it named")
        .tag("status", s)
        .register(registry))
        .increment();
  }

  /**
   * Counts a webhook origin's circuit breaker changing state, by the state it entered:
   * {@code ringhook_webhook_circuit_transitions_total{to}} with {@code open}, {@code half_open} or
   * {@code closed}.
   */
  public void circuitChanged(String to) {
    circuitByState.computeIfAbsent(label(to), t -> Counter.builder("ringhook.webhook.circuit.transitions")
        .description("Webhook origin circuit breaker state changes, by the state entered")
        .tag("to", t)
        .register(registry))
        .increment();
  }

  /**
   * Counts one post-call {@code call_ended} attempt by what it left the delivery:
   * {@code ringhook_call_ended_deliveries_total{result}} with {@code delivered}, {@code pending} (will
   * be retried) or {@code failed} (gave up).
   */
  public void callEndedDelivery(io.ringhook.server.records.CallEndedDelivery.State result) {
    callEndedByResult.computeIfAbsent(result.value(), r -> Counter.builder("ringhook.call.ended.deliveries")
        .description("Post-call call_ended attempts, by the delivery's state after them")
        .tag("result", r)
        .register(registry))
        .increment();
  }

  /**
   * Binds the call gauges: {@code ringhook_calls_active} (calls in any state, ringing included),
   * {@code ringhook_calls_ringing} (not yet answered or refused) and {@code ringhook_calls_in_setup} (the
   * ringing calls that are not waiting for their webhook: the count the overload check reads against
   * {@code admission.max_setup_time}).
   */
  public void bindCalls(IntSupplier active, IntSupplier ringing, IntSupplier inSetup) {
    gauge("ringhook.calls.active", "Calls in progress, ringing or answered", active);
    gauge("ringhook.calls.ringing", "Calls ringing: not yet answered or refused", ringing);
    gauge("ringhook.calls.in.setup", "Calls being set up: ringing, not waiting for their webhook", inSetup);
  }

  // ---- webhook ----

  /**
   * Counts one webhook attempt by result ({@code ringhook_webhook_attempts_total{result}}:
   * {@code ok} or the failure's label) and records its latency in
   * {@code ringhook_webhook_latency_seconds}, except for an attempt the caller's hang-up cut short
   * (result {@code cancelled}), whose duration says nothing about the webhook. Usable as an
   * {@code io.ringhook.webhook.AttemptListener}: {@code metrics::webhookAttempt}.
   */
  public void webhookAttempt(WebhookResult.Attempt attempt) {
    Objects.requireNonNull(attempt, "attempt");
    String result = attempt.failure().map(FailureReason::label).orElse("ok");
    attemptsByResult.computeIfAbsent(result, r -> Counter.builder("ringhook.webhook.attempts")
        .description("Webhook HTTP attempts, by result: ok or the failure reason")
        .tag("result", r)
        .register(registry))
        .increment();
    Timer wait = poolWait;
    if (wait == null) {
      wait = Timer.builder("ringhook.webhook.pool.wait")
          .description("Time attempts waited for a connection because their origin had all it may"
              + " have busy: ringhook's own delay, not counted in the attempt's deadline")
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(registry);
      poolWait = wait;
    }
    wait.record(attempt.queued());
    if (attempt.failure().orElse(null) != FailureReason.CANCELLED) {
      Timer latency = webhookLatency;
      if (latency == null) {
        // Racing threads get the same meter: the registry keeps one per id.
        latency = Timer.builder("ringhook.webhook.latency")
            .description("Webhook attempt latency, until the response, the failure or the deadline")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
        webhookLatency = latency;
      }
      latency.record(attempt.latency());
    }
  }

  /**
   * Binds the webhook client's connection pools: {@code ringhook_webhook_pool_waiters} (attempts
   * waiting for a connection), {@code ringhook_webhook_connections} and
   * {@code ringhook_webhook_streams} (all origins), {@code ringhook_webhook_connections_opened_total},
   * and per origin {@code ringhook_webhook_origin_connections{origin,protocol}} and
   * {@code ringhook_webhook_origin_waiters{origin,protocol}} for the {@value #MAX_ORIGIN_SERIES}
   * busiest origins, the others summed as {@code origin="other"}, so a server calling thousands of
   * webhook hosts still has few series.
   */
  public void bindWebhookPools(Supplier<WebhookClient.PoolStats> stats) {
    Objects.requireNonNull(stats, "stats");
    pools = stats;
    gauge("ringhook.webhook.pool.waiters",
        "Webhook attempts waiting for a connection: their origin has all it may have busy",
        () -> stats.get().waiters());
    gauge("ringhook.webhook.connections", "Webhook connections open or opening, all origins",
        () -> stats.get().connections());
    gauge("ringhook.webhook.streams", "Webhook HTTP/2 streams in flight, all origins",
        () -> stats.get().origins().stream().mapToInt(WebhookClient.OriginStats::streams).sum());
    counter("ringhook.webhook.connections.opened", "Webhook connections opened", stats,
        s -> s.get().connectionsOpened());
  }

  /**
   * Updates the per-origin gauges from one snapshot of the pools, just before a scrape: the
   * busiest origins by name, the rest as {@code other}; gauges of origins gone are removed.
   */
  private synchronized void refreshOrigins() {
    Supplier<WebhookClient.PoolStats> stats = pools;
    if (stats == null) {
      return;
    }
    // A pool retired while still busy and its successor share an origin: one row for both.
    Map<List<String>, int[]> merged = new LinkedHashMap<>();
    for (WebhookClient.OriginStats o : stats.get().origins()) {
      int[] f = merged.computeIfAbsent(List.of(o.origin(), o.protocol()), k -> new int[2]);
      f[0] += o.connections();
      f[1] += o.waiters();
    }
    List<Map.Entry<List<String>, int[]>> byLoad = new ArrayList<>(merged.entrySet());
    byLoad.sort(Comparator.comparingInt((Map.Entry<List<String>, int[]> e) -> e.getValue()[0]
        + e.getValue()[1]).reversed());
    Map<List<String>, int[]> rows = new LinkedHashMap<>();
    for (int i = 0; i < byLoad.size(); i++) {
      Map.Entry<List<String>, int[]> e = byLoad.get(i);
      if (i < MAX_ORIGIN_SERIES) {
        rows.put(e.getKey(), e.getValue());
      } else {
        int[] other = rows.computeIfAbsent(List.of("other", "mixed"), k -> new int[2]);
        other[0] += e.getValue()[0];
        other[1] += e.getValue()[1];
      }
    }
    originFigures = rows;
    for (List<String> key : rows.keySet()) {
      originGauges.computeIfAbsent(key, k -> List.of(
          originGauge("ringhook.webhook.origin.connections",
              "Webhook connections open or opening, by origin (the busiest; the rest as other)", k, 0),
          originGauge("ringhook.webhook.origin.waiters",
              "Webhook attempts waiting for a connection, by origin (the busiest; the rest as other)", k, 1)));
    }
    originGauges.entrySet().removeIf(e -> {
      if (rows.containsKey(e.getKey())) {
        return false;
      }
      e.getValue().forEach(registry::remove);
      return true;
    });
  }

  private Gauge originGauge(String name, String description, List<String> key, int index) {
    return Gauge.builder(name, () -> {
          int[] f = originFigures.get(key);
          return f == null ? 0 : f[index];
        })
        .description(description)
        .tags("origin", key.get(0), "protocol", key.get(1))
        .strongReference(true)
        .register(registry);
  }

  // ---- agent ----

  /**
   * Records one agent connection attempt in {@code ringhook_agent_connect_seconds{result}}:
   * {@code ok}, the failure kind ({@code agent_refused}, {@code agent_timeout}, ...) or
   * {@code cancelled}.
   */
  public void agentConnect(Duration latency, String result) {
    Objects.requireNonNull(latency, "latency");
    agentConnectByResult.computeIfAbsent(label(result), r -> Timer.builder("ringhook.agent.connect")
        .description("Agent WebSocket connect latency (TCP, TLS, upgrade, start), by result")
        .tag("result", r)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry))
        .record(latency);
  }

  /** This registry as an {@link AgentMediaBridge.Listener}, for the bridge's constructor. */
  public AgentMediaBridge.Listener agentListener() {
    return new AgentMediaBridge.Listener() {
      @Override
      public void agentConnected(InboundCall call, AgentTarget target, Duration latency) {
        agentConnect(latency, "ok");
      }

      @Override
      public void agentFailed(InboundCall call, AgentTarget target, Duration latency, String kind) {
        agentConnect(latency, kind);
      }
    };
  }

  // ---- RTP ----

  /**
   * Binds the RTP counters of the server's port pool: {@code ringhook_rtp_packets_total{direction}},
   * {@code ringhook_rtp_packets_lost_total}, {@code ringhook_rtp_packets_late_total},
   * {@code ringhook_rtp_packets_duplicate_total},
   * {@code ringhook_rtp_packets_dropped_total{reason}} and
   * {@code ringhook_rtp_outbound_dropped_bytes_total{reason}}.
   */
  public void bindRtp(RtpTotals totals) {
    Objects.requireNonNull(totals, "totals");
    String packets = "ringhook.rtp.packets";
    // One description for both series: Prometheus shows one HELP line per metric name.
    String both = "RTP packets, by direction: in from callers (valid RTP), out to callers";
    counter(packets, both, totals, RtpTotals::packetsIn, "direction", "in");
    counter(packets, both, totals, RtpTotals::packetsOut, "direction", "out");
    counter("ringhook.rtp.packets.lost", "Inbound RTP packets that never came (sequence gaps)",
        totals, RtpTotals::lost);
    counter("ringhook.rtp.packets.late", "Inbound RTP packets that came after their place had passed",
        totals, RtpTotals::late);
    counter("ringhook.rtp.packets.duplicate", "Inbound RTP packets received twice", totals,
        RtpTotals::duplicates);
    String dropped = "ringhook.rtp.packets.dropped";
    String what = "Inbound datagrams dropped before the jitter stage, by reason";
    counter(dropped, what, totals, RtpTotals::malformed, "reason", "malformed");
    counter(dropped, what, totals, RtpTotals::foreignSource, "reason", "foreign_source");
    counter(dropped, what, totals, RtpTotals::unexpectedType, "reason", "unexpected_type");
    String outbound = "ringhook.rtp.outbound.dropped.bytes";
    String why = "Bytes of agent audio dropped instead of sent to callers, by reason";
    counter(outbound, why, totals, RtpTotals::outboundStale, "reason", "stale");
    counter(outbound, why, totals, RtpTotals::outboundQueueFull, "reason", "queue_full");
  }

  // ---- records ----

  /**
   * Binds the call record writer's figures: {@code ringhook_records_written_total},
   * {@code ringhook_records_dropped_total} and {@code ringhook_records_pending}.
   */
  public void bindRecords(LongSupplier written, LongSupplier dropped, IntSupplier pending) {
    Objects.requireNonNull(written, "written");
    Objects.requireNonNull(dropped, "dropped");
    counter("ringhook.records.written", "Call records written to the store", written,
        LongSupplier::getAsLong);
    counter("ringhook.records.dropped",
        "Call records dropped: the store was down and the buffer full", dropped, LongSupplier::getAsLong);
    gauge("ringhook.records.pending", "Call records waiting to be written", pending);
  }

  /**
   * Binds {@code ringhook_records_suppressed_total}: records of INVITEs refused by the trunk ACL
   * that were not stored because more came than the per-second limit (scanners).
   */
  public void bindSuppressed(LongSupplier suppressed) {
    Objects.requireNonNull(suppressed, "suppressed");
    counter("ringhook.records.suppressed",
        "Records of INVITEs refused by the trunk ACL not stored (over the per-second limit)", suppressed,
        LongSupplier::getAsLong);
  }

  /**
   * Binds {@code ringhook_calls_rejected_total{reason}}: new INVITEs turned away at once with 503
   * before they became calls, because the server was behind ({@code overload}) or their source was
   * over its rate ({@code source_limit}). Not in {@code ringhook_calls_total}: no call record is made.
   */
  public void bindRejected(LongSupplier overload, LongSupplier sourceLimit) {
    String help = "New INVITEs refused with 503 before they became calls, by reason";
    counter("ringhook.calls.rejected", help, overload, LongSupplier::getAsLong, "reason", "overload");
    counter("ringhook.calls.rejected", help, sourceLimit, LongSupplier::getAsLong, "reason", "source_limit");
  }

  /**
   * Binds {@code ringhook_event_loop_lag_seconds}: how far behind the worst network event loop is (its
   * probe's lateness), one of the stages the overload check reads against {@code admission.max_queue_delay}.
   */
  public void bindEventLoopLag(LongSupplier millis) {
    Objects.requireNonNull(millis, "millis");
    Gauge.builder("ringhook.event.loop.lag", millis, m -> m.getAsLong() / 1000.0)
        .description("How late the most delayed network event loop runs its work (webhook, agent, RTP)")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
  }

  // ---- SIP edge ----

  /**
   * Binds the SIP edge's defences: {@code ringhook_sip_outsiders_refused_total} (requests from
   * sources outside every trunk, answered by a stateless 403), {@code ringhook_sip_tcp_connections}
   * (inbound TCP connections open) and {@code ringhook_sip_tcp_refused_total{reason}} (connections
   * refused at accept or closed for sending no complete message), one series per reason in
   * {@code refused}'s keys.
   */
  public void bindSipEdge(LongSupplier outsiders, IntSupplier open,
                          java.util.function.Supplier<java.util.Map<String, Long>> refused) {
    counter("ringhook.sip.outsiders.refused", "Requests from sources outside every trunk, refused with a stateless 403",
        outsiders, LongSupplier::getAsLong);
    gauge("ringhook.sip.tcp.connections", "Inbound SIP/TCP connections open", open);
    for (String reason : refused.get().keySet()) {
      counter("ringhook.sip.tcp.refused", "SIP/TCP connections refused at accept or closed without a message, by reason",
          refused, r -> r.get().getOrDefault(reason, 0L), "reason", label(reason));
    }
  }

  @Override
  public void close() {
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }

  // ---- helpers ----

  private void gauge(String name, String description, IntSupplier value) {
    Objects.requireNonNull(value, name);
    // Held strongly: Micrometer keeps a gauge's object weakly, and a lambda has no other owner.
    Gauge.builder(name, value, IntSupplier::getAsInt)
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  /**
   * A counter read at scrape time. Micrometer holds a function counter's object weakly: the
   * object is this registry's owner, and the function's closure keeps {@code source} reachable.
   */
  private <T> void counter(String name, String description, T source, ToLongFunction<T> f,
                           String... tags) {
    Objects.requireNonNull(source, name);
    FunctionCounter.builder(name, this, ignored -> (double) f.applyAsLong(source))
        .description(description)
        .tags(tags)
        .register(registry);
  }

  /** A tag value: lower-case letters, digits and underscores, else {@code other}. */
  static String label(String value) {
    return value != null && LABEL.matcher(value).matches() ? value : "other";
  }
}
