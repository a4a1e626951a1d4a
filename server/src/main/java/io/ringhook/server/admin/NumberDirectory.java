package io.ringhook.server.admin;

import io.ringhook.server.admin.EffectiveNumber.Source;
import io.ringhook.server.config.NumberSettings;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.config.Secret;
import io.ringhook.server.records.NumberEntry;
import io.ringhook.server.records.RecordStore;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live view of ringhook's numbers: the configuration file's entries with the run-time entries
 * of the admin API (kept in the {@link RecordStore}) laid over them.
 *
 * <p>A run-time entry replaces the file's URL, secret and agent as a whole: an entry without a URL
 * means "no webhook for this number" even when the file has one, and without an agent means
 * {@code default_agent}. Timeout, retries, backoff and failure response are never set at run time:
 * they come from the file's entry for the number, else the {@code webhook} section.
 *
 * <p>Reads never block and are safe from any thread (SIP, Netty, HTTP): they see an immutable map
 * through a volatile field, replaced whole on each change.
 */
public final class NumberDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(NumberDirectory.class);

  private final RingConfig config;
  private final Set<String> agents;
  private final Object lock = new Object();
  // Guarded by lock: the run-time entries, and a count of local changes (see refreshOnce).
  private Map<String, NumberEntry> runtime = Map.of();
  private long localChanges;
  private volatile Map<String, EffectiveNumber> view;

  /** A directory of {@code config}'s numbers, without run-time entries until some are given. */
  public NumberDirectory(RingConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    Set<String> names = new LinkedHashSet<>();
    names.add(RingConfig.DEMO_AGENT);
    names.add(RingConfig.ECHO_AGENT);
    names.addAll(config.agents().keySet());
    this.agents = Collections.unmodifiableSet(names);
    this.view = build(config, agents, Map.of());
  }

  /** What happens now to calls to {@code e164}; empty when neither the file nor the API lists it. */
  public Optional<EffectiveNumber> lookup(String e164) {
    return Optional.ofNullable(view.get(e164));
  }

  /** Every number listed by the file or the API, ordered by number. */
  public List<EffectiveNumber> all() {
    return List.copyOf(view.values());
  }

  /** The agent names a number may use: the built-in {@code demo} and {@code echo}, and the file's {@code agents}. */
  public Set<String> agentNames() {
    return agents;
  }

  /** The agent of numbers that name none: the file's {@code default_agent}. */
  public String defaultAgent() {
    return config.defaultAgent();
  }

  /** Replaces every run-time entry with {@code entries} (what the store holds now). */
  public void replaceRuntime(Collection<NumberEntry> entries) {
    Map<String, NumberEntry> m = new TreeMap<>();
    for (NumberEntry e : entries) {
      m.put(e.number(), e);
    }
    synchronized (lock) {
      apply(m);
    }
  }

  /** Adds or replaces one run-time entry (just written to the store by this instance). */
  public void putRuntime(NumberEntry entry) {
    Objects.requireNonNull(entry, "entry");
    synchronized (lock) {
      Map<String, NumberEntry> m = new TreeMap<>(runtime);
      m.put(entry.number(), entry);
      localChanges++;
      apply(m);
    }
  }

  /** Removes one run-time entry (just deleted from the store by this instance); the file's entry applies again. */
  public void removeRuntime(String e164) {
    synchronized (lock) {
      Map<String, NumberEntry> m = new TreeMap<>(runtime);
      m.remove(e164);
      localChanges++;
      apply(m);
    }
  }

  /** Reads the run-time entries from {@code store} now; blocks on the database. */
  public void reload(RecordStore store) throws RecordStore.StoreException {
    replaceRuntime(store.numbers());
  }

  /**
   * Re-reads the run-time entries from {@code store} every {@code every}, starting now, because
   * another ringhook sharing the database may change them. Each read runs on
   * {@code blockingExecutor}; a failed read is logged and the last good view kept.
   *
   * @param scheduler only times the reads (a Netty event loop will do); nothing blocks on it
   * @return stops the refreshing
   */
  public AutoCloseable startRefresh(RecordStore store, Executor blockingExecutor, ScheduledExecutorService scheduler,
                                    Duration every) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(blockingExecutor, "blockingExecutor");
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("the refresh interval must be positive, got " + every);
    }
    AtomicBoolean running = new AtomicBoolean();
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable read = () -> {
      try {
        if (!stopped.get()) {
          refreshOnce(store);
        }
      } finally {
        running.set(false);
      }
    };
    ScheduledFuture<?> timer = scheduler.scheduleWithFixedDelay(() -> {
      // A read still in progress (a slow database) is not doubled up.
      if (!stopped.get() && running.compareAndSet(false, true)) {
        try {
          blockingExecutor.execute(read);
        } catch (RejectedExecutionException e) {
          running.set(false);
        }
      }
    }, 0, every.toNanos(), TimeUnit.NANOSECONDS);
    return () -> {
      stopped.set(true);
      timer.cancel(false);
    };
  }

  /** One refresh: a read, applied unless this instance changed an entry meanwhile (the read may predate it). */
  void refreshOnce(RecordStore store) {
    long mark = mark();
    List<NumberEntry> entries;
    try {
      entries = store.numbers();
    } catch (RecordStore.StoreException | RuntimeException e) {
      LOG.warn("cannot refresh the run-time numbers, keeping the last ones read: {}", e.getMessage());
      return;
    }
    applyRead(mark, entries);
  }

  /** The count of local changes, taken before a read of the store. */
  long mark() {
    synchronized (lock) {
      return localChanges;
    }
  }

  /**
   * Applies what a read of the store returned, unless a local change happened since {@code mark}:
   * the read may predate it, and the next refresh will see both.
   */
  void applyRead(long mark, Collection<NumberEntry> entries) {
    Map<String, NumberEntry> m = new TreeMap<>();
    for (NumberEntry e : entries) {
      m.put(e.number(), e);
    }
    synchronized (lock) {
      if (localChanges == mark) {
        apply(m);
      }
    }
  }

  private void apply(Map<String, NumberEntry> newRuntime) {
    if (newRuntime.equals(runtime)) {
      return;
    }
    runtime = Collections.unmodifiableMap(newRuntime);
    view = build(config, agents, runtime);
  }

  private static Map<String, EffectiveNumber> build(RingConfig config, Set<String> agents,
                                                    Map<String, NumberEntry> runtime) {
    Map<String, EffectiveNumber> m = new TreeMap<>();
    for (NumberSettings n : config.numbers().values()) {
      m.put(n.number(), new EffectiveNumber(n.number(), n.inboundWebhookUrl(), n.webhookSecret(),
          n.agent().orElse(config.defaultAgent()), n.webhook(), Source.FILE, Optional.empty()));
    }
    for (NumberEntry e : runtime.values()) {
      Optional<NumberSettings> file = config.number(e.number());
      Optional<URI> url;
      try {
        url = e.webhookUrl().map(Checks::httpUrl);
      } catch (IllegalArgumentException bad) {
        // Written by something other than the admin API: the file's entry (if any) stays in force.
        LOG.warn("ignoring the stored settings of {}: its inbound webhook URL {}", e.number(), bad.getMessage());
        continue;
      }
      String agent = e.agent().orElse(config.defaultAgent());
      if (!agents.contains(agent)) {
        // Another instance with other agents may have stored it; this one can only use its own.
        LOG.warn("{}'s stored agent {} is not configured here: calls to it use {}", e.number(), agent,
            config.defaultAgent());
        agent = config.defaultAgent();
      }
      m.put(e.number(), new EffectiveNumber(e.number(), url, e.webhookSecret().filter(s -> !s.isEmpty()).map(Secret::new),
          agent, file.map(NumberSettings::webhook).orElse(config.webhook()),
          file.isPresent() ? Source.API_OVER_FILE : Source.API, Optional.of(e.updated())));
    }
    return Collections.unmodifiableMap(m);
  }
}
