package io.ringhook.sip;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Admission and upkeep of inbound SIP/TCP connections: at accept time a source outside every
 * trunk, or one over the total or per-source cap, is refused (reset, counted, logged at most once
 * per interval); once admitted, a connection that has not completed a SIP message within
 * {@link TcpLimits#firstMessageTimeout()} is closed by a sweep once a second.
 */
final class TcpGuard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpGuard.class);

  /** Why a connection was refused at accept time; the name is the metric's label. */
  enum Refusal { NO_TRUNK, TOTAL_CAP, SOURCE_CAP, FIRST_MESSAGE_TIMEOUT }

  private final TcpLimits limits;
  private final TrunkAcl acl;
  private final LongSupplier nanoTime;
  private final Set<GuardedTcpChannel> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();
  private final Map<Refusal, LongAdder> refused = new ConcurrentHashMap<>();
  private final RateLimitedLog refusalLog;
  private volatile ScheduledFuture<?> sweep;

  TcpGuard(TcpLimits limits, TrunkAcl acl, LongSupplier nanoTime) {
    this.limits = limits;
    this.acl = acl;
    this.nanoTime = nanoTime;
    this.refusalLog = new RateLimitedLog(LOG, Level.INFO, Duration.ofSeconds(10), nanoTime);
    for (Refusal r : Refusal.values()) {
      refused.put(r, new LongAdder());
    }
  }

  TcpLimits limits() {
    return limits;
  }

  /** Starts the once-a-second sweep for connections past their first-message deadline. */
  void start(ScheduledExecutorService scheduler) {
    sweep = scheduler.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Takes a slot for a new connection from {@code source}, or says why not. Runs on the stack's
   * selector thread, so it must stay cheap.
   *
   * @return null when admitted (the caller must then {@link #opened} or {@link #release}), else the refusal
   */
  Refusal admit(InetAddress source) {
    Refusal why = null;
    if (acl.match(source).isEmpty()) {
      why = Refusal.NO_TRUNK;
    } else if (total.incrementAndGet() > limits.maxConnections()) {
      total.decrementAndGet();
      why = Refusal.TOTAL_CAP;
    } else if (perSource.computeIfAbsent(source, a -> new AtomicInteger()).incrementAndGet() > limits.maxPerSource()) {
      release(source);
      why = Refusal.SOURCE_CAP;
    }
    if (why != null) {
      refused.get(why).increment();
      refusalLog.log("SIP/TCP connection from {} refused: {}", source.getHostAddress(), describe(why));
    }
    return why;
  }

  /** Records an admitted connection so the sweep can watch it. */
  void opened(GuardedTcpChannel channel) {
    open.add(channel);
  }

  /** Gives back the slot of a connection from {@code source} (once per admitted connection). */
  void release(InetAddress source) {
    total.decrementAndGet();
    perSource.computeIfPresent(source, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Forgets a closed connection and gives back its slot. */
  void closed(GuardedTcpChannel channel) {
    if (open.remove(channel)) {
      release(channel.source());
    }
  }

  /** Inbound connections open now. */
  int openConnections() {
    return open.size();
  }

  /** Connections refused or closed by the guard since start, by reason. */
  Map<Refusal, Long> refusals() {
    Map<Refusal, Long> out = new java.util.EnumMap<>(Refusal.class);
    refused.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  void sweep() {
    long now = nanoTime.getAsLong();
    long limit = limits.firstMessageTimeout().toNanos();
    for (GuardedTcpChannel c : open) {
      if (!c.completedAMessage() && now - c.acceptedAt() > limit) {
        refused.get(Refusal.FIRST_MESSAGE_TIMEOUT).increment();
        refusalLog.log("SIP/TCP connection from {} closed: {}", c.source().getHostAddress(),
            describe(Refusal.FIRST_MESSAGE_TIMEOUT));
        c.close();
        closed(c); // in case the stack's close did not reach our hook
      }
    }
  }

  private String describe(Refusal why) {
    return switch (why) {
      case NO_TRUNK -> "the source matches no trunk";
      case TOTAL_CAP -> limits.maxConnections() + " connections open (sip.tcp.max_connections)";
      case SOURCE_CAP -> limits.maxPerSource() + " connections open from it (sip.tcp.max_connections_per_source)";
      case FIRST_MESSAGE_TIMEOUT -> "no complete SIP message within " + limits.firstMessageTimeout().toSeconds()
          + " s (sip.tcp.first_message_timeout)";
    };
  }

  @Override
  public void close() {
    ScheduledFuture<?> s = sweep;
    if (s != null) {
      s.cancel(false);
    }
  }
}
