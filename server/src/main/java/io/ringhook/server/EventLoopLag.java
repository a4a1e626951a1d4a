package io.ringhook.server;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.ringhook.sip.QueueDelay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How far behind the Netty event loops are: each loop runs a probe every {@code every}, and the probe's
 * lateness (when it ran against when it was due) is that loop's lag. An admitted call's webhook request,
 * agent WebSocket and RTP all wait on these loops, so the overload check reads this next to the SIP
 * stack's queue and the call workers' queue: on a saturated box the loops can be the stage that falls
 * behind while those two queues stay short (one loop per core did exactly that, BENCHMARKS.md, session 9).
 *
 * <p>{@link #millis()} is the worst loop's lag: the last one measured, or, while a probe is overdue, how
 * overdue it is (a loop stuck for a second reads as a second behind before its probe runs). The probes
 * live on the loops themselves: no thread of their own, one scheduled task per loop at a time.
 */
final class EventLoopLag implements QueueDelay, AutoCloseable {
  private final List<Probe> probes = new ArrayList<>();
  private final long everyNanos;
  private final LongSupplier nanoTime;
  private volatile boolean closed;

  EventLoopLag(EventLoopGroup group, Duration every, LongSupplier nanoTime) {
    this.everyNanos = every.toNanos();
    this.nanoTime = nanoTime;
    for (EventExecutor loop : group) {
      probes.add(new Probe(loop));
    }
    probes.forEach(Probe::schedule);
  }

  @Override
  public long millis() {
    if (closed) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    long worst = 0;
    for (Probe p : probes) {
      worst = Math.max(worst, p.lagNanos(now));
    }
    return worst / 1_000_000;
  }

  /** Stops rescheduling the probes (each one due runs once more) and reads zero from then on. */
  @Override
  public void close() {
    closed = true;
  }

  private final class Probe implements Runnable {
    private final EventExecutor loop;
    // Written on the loop, read by the admission check on SIP threads.
    private volatile long due;
    private volatile long lastLag;

    Probe(EventExecutor loop) {
      this.loop = loop;
    }

    void schedule() {
      if (closed || loop.isShuttingDown()) {
        return;
      }
      due = nanoTime.getAsLong() + everyNanos;
      try {
        loop.schedule(this, everyNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // the group is shutting down: nothing left to measure
      }
    }

    @Override
    public void run() {
      lastLag = Math.max(0, nanoTime.getAsLong() - due);
      schedule();
    }

    long lagNanos(long now) {
      return Math.max(lastLag, now - due);
    }
  }
}
