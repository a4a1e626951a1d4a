package io.ringhook.server.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last minutes of the server's own meters, for the console's Overview ({@code GET /v1/stats}):
 * every {@link #INTERVAL} the counters and histograms of {@link RingMetrics} are read and what
 * changed since the previous reading is kept as one point (calls by outcome, webhook attempts and
 * their latency percentiles, agent connect latency, active and ringing calls), {@link #POINTS} of
 * them. Reading the meters neither blocks nor allocates much, so it runs on an event loop.
 */
public final class MeterHistory {
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  public static final int POINTS = 180; // 15 minutes
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MeterRegistry registry;
  private final Clock clock;
  private final Duration interval;
  private final ArrayDeque<ObjectNode> points = new ArrayDeque<>(); // guarded by this
  private Reading last; // guarded by this

  /** What the meters said at one moment; counters and histogram counts are totals since start. */
  private record Reading(Instant at, Map<String, Double> outcomes, Map<String, Double> attempts,
                         Buckets webhook, Buckets agent) {}

  /** A latency histogram's cumulative counts: {@code counts[i]} observations at most {@code bounds[i]} ms. */
  private record Buckets(double[] boundsMs, double[] counts, double total) {
    static final Buckets EMPTY = new Buckets(new double[0], new double[0], 0);

    Buckets plus(HistogramSnapshot s) {
      CountAtBucket[] b = s.histogramCounts();
      double[] bounds = new double[b.length];
      double[] sums = new double[b.length];
      for (int i = 0; i < b.length; i++) {
        bounds[i] = b[i].bucket(TimeUnit.MILLISECONDS);
        sums[i] = b[i].count() + (i < counts.length ? counts[i] : 0);
      }
      return new Buckets(bounds, sums, total + s.count());
    }
  }

  public MeterHistory(MeterRegistry registry, Clock clock) {
    this(registry, clock, INTERVAL);
  }

  MeterHistory(MeterRegistry registry, Clock clock, Duration interval) {
    this.registry = registry;
    this.clock = clock;
    this.interval = interval;
  }

  /** Samples every {@link #INTERVAL} on {@code scheduler} until the returned handle is closed. */
  public AutoCloseable start(ScheduledExecutorService scheduler) {
    sample();
    ScheduledFuture<?> f = scheduler.scheduleAtFixedRate(this::sample, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  /** Reads the meters now and keeps what changed since the last reading as a point. */
  public synchronized void sample() {
    Reading now = read();
    if (last != null) {
      points.addLast(point(last, now));
      while (points.size() > POINTS) {
        points.removeFirst();
      }
    }
    last = now;
  }

  /**
   * {@code {"interval_seconds": 5, "points": [...]}}, oldest first; each point's counts are of its
   * interval, latencies are percentiles of the attempts in it ({@code null} when there were none).
   */
  public synchronized String json() {
    ObjectNode o = JSON.createObjectNode();
    o.put("interval_seconds", interval.toSeconds());
    ArrayNode a = o.putArray("points");
    points.forEach(a::add);
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always serialises", e);
    }
  }

  private Reading read() {
    Buckets webhook = Buckets.EMPTY;
    for (Timer t : registry.find("ringhook.webhook.latency").timers()) {
      webhook = webhook.plus(t.takeSnapshot());
    }
    Buckets agent = Buckets.EMPTY;
    for (Timer t : registry.find("ringhook.agent.connect").timers()) {
      agent = agent.plus(t.takeSnapshot());
    }
    return new Reading(clock.instant(), counts("ringhook.calls", "outcome"), counts("ringhook.webhook.attempts", "result"),
        webhook, agent);
  }

  private Map<String, Double> counts(String name, String tag) {
    Map<String, Double> m = new TreeMap<>();
    for (Counter c : registry.find(name).counters()) {
      m.merge(c.getId().getTag(tag), c.count(), Double::sum);
    }
    return m;
  }

  private ObjectNode point(Reading before, Reading now) {
    ObjectNode p = JSON.createObjectNode();
    p.put("t", now.at().toString());
    double seconds = Math.max(0.001, Duration.between(before.at(), now.at()).toMillis() / 1000.0);
    ObjectNode outcomes = p.putObject("outcomes");
    long calls = 0;
    for (Map.Entry<String, Double> e : now.outcomes().entrySet()) {
      long d = Math.round(e.getValue() - before.outcomes().getOrDefault(e.getKey(), 0.0));
      calls += d;
      if (d > 0) {
        outcomes.put(e.getKey(), d);
      }
    }
    p.put("calls", calls);
    p.put("calls_per_second", Math.round(calls / seconds * 100) / 100.0);
    p.put("active", Math.round(gauge("ringhook.calls.active")));
    p.put("ringing", Math.round(gauge("ringhook.calls.ringing")));
    long ok = 0;
    long failed = 0;
    for (Map.Entry<String, Double> e : now.attempts().entrySet()) {
      long d = Math.round(e.getValue() - before.attempts().getOrDefault(e.getKey(), 0.0));
      if (e.getKey().equals("ok")) {
        ok += d;
      } else if (!e.getKey().equals("cancelled")) { // a caller's hang-up is not the webhook's failure
        failed += d;
      }
    }
    p.put("webhook_ok", ok);
    p.put("webhook_failed", failed);
    put(p, "webhook_p50_ms", percentile(before.webhook(), now.webhook(), 0.50));
    put(p, "webhook_p95_ms", percentile(before.webhook(), now.webhook(), 0.95));
    put(p, "webhook_p99_ms", percentile(before.webhook(), now.webhook(), 0.99));
    put(p, "agent_connect_p50_ms", percentile(before.agent(), now.agent(), 0.50));
    put(p, "agent_connect_p95_ms", percentile(before.agent(), now.agent(), 0.95));
    return p;
  }

  private double gauge(String name) {
    Gauge g = registry.find(name).gauge();
    return g == null ? 0 : g.value();
  }

  /**
   * The {@code q} quantile of the observations between two readings, interpolated linearly inside
   * its bucket; observations past the last bucket count as its bound (the webhook's deadline).
   */
  static OptionalDouble percentile(Buckets before, Buckets now, double q) {
    double total = now.total() - before.total();
    if (total <= 0 || now.counts().length == 0) {
      return OptionalDouble.empty();
    }
    double target = q * total;
    double prevCount = 0;
    double prevBound = 0;
    for (int i = 0; i < now.counts().length; i++) {
      double count = now.counts()[i] - (i < before.counts().length ? before.counts()[i] : 0);
      if (count >= target) {
        double inBucket = count - prevCount;
        double share = inBucket <= 0 ? 1 : (target - prevCount) / inBucket;
        return OptionalDouble.of(Math.round(prevBound + (now.boundsMs()[i] - prevBound) * share));
      }
      prevCount = count;
      prevBound = now.boundsMs()[i];
    }
    return OptionalDouble.of(prevBound);
  }

  private static void put(ObjectNode p, String field, OptionalDouble v) {
    if (v.isPresent()) {
      p.put(field, v.getAsDouble());
    } else {
      p.putNull(field);
    }
  }
}
