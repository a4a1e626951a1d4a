package io.ringhook.server.records;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous writer of call records: {@link #submit} never blocks a call's thread, and one
 * daemon thread, {@value #THREAD_NAME}, writes the records to the {@link RecordStore} in batches.
 *
 * <p>At most {@code capacity} records are held in memory, counting the batch being written. While
 * the store fails, the failed batch is kept and retried with a backoff doubling from the minimum to
 * the maximum (0.5 s to 30 s by default) and new records keep buffering; once the buffer is full, a
 * new record is dropped (the oldest are kept, so the records that are written are written in the
 * order the calls ended), counted by {@link #dropped()} and reported by a WARN at most every 30 s.
 * The outage is logged once when it starts and once when it ends. Records are retried until they
 * are written: a store that refuses one record for ever would hold the queue, which the schema (text
 * columns, no constraints but the call id) and the store (it replaces what PostgreSQL refuses)
 * are built to avoid.
 *
 * <p>Transactions are grouped: after a write, the writer lets records gather for up to
 * {@link #LINGER} before the next one (unless a full batch is waiting or the writer is closing), so
 * a busy server commits a few dozen records at a time instead of one transaction per call. A
 * transaction's fixed cost (pool checkout, BEGIN, statement preparation, COMMIT) is several times
 * that of one row, and on SQLite it is paid on a thread of this JVM.
 *
 * <p>{@link #close(Duration)} writes everything still held, retrying while the timeout allows, and
 * logs how many records are lost when it cannot. The writer does not close the store.
 */
public final class RecordWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RecordWriter.class);

  public static final String THREAD_NAME = "ringhook-records";
  public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
  /** Records per transaction: large enough to catch up quickly after an outage, small enough to keep transactions short. */
  static final int BATCH = 200;
  /** The longest a record waits for others to share its transaction: at most 20 transactions a second. */
  static final Duration LINGER = Duration.ofMillis(50);
  private static final Duration DROP_WARNING_INTERVAL = Duration.ofSeconds(30);

  private final RecordStore store;
  private final int capacity;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Clock clock;

  private final ConcurrentLinkedQueue<CallRecord> queue = new ConcurrentLinkedQueue<>();
  /** Records accepted and not yet written or given up: the queue plus the batch in hand. */
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong droppedSinceWarning = new AtomicLong();
  private final AtomicLong nextDropWarning = new AtomicLong(Long.MIN_VALUE);

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when records arrive or closing starts (wakes the writer) and when records are written (wakes awaitIdle). */
  private final Condition changed = lock.newCondition();
  private volatile boolean closing;
  private volatile long closeDeadlineNanos;
  private volatile boolean failing;
  /** Whether the writer sleeps until records arrive: only then does {@link #submit} need to wake it. */
  private volatile boolean idle;

  private final Thread thread;

  /** A writer with the default backoff (0.5 s doubling to 30 s) on the system clock. */
  public RecordWriter(RecordStore store, int capacity) {
    this(store, capacity, DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF, Clock.systemUTC());
  }

  /**
   * A writer whose retries wait {@code minBackoff}, doubling up to {@code maxBackoff}; {@code clock}
   * times the outage and spaces the drop warnings.
   */
  public RecordWriter(RecordStore store, int capacity, Duration minBackoff, Duration maxBackoff, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    if (capacity < 1) {
      throw new IllegalArgumentException("records buffer must hold at least 1 record, got " + capacity);
    }
    if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("backoff must be 0 < min <= max, got " + minBackoff + " and " + maxBackoff);
    }
    this.capacity = capacity;
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = new Thread(this::run, THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues a record for writing, without blocking: false when it was dropped because the buffer is
   * full or the writer is closed.
   */
  public boolean submit(CallRecord record) {
    Objects.requireNonNull(record, "record");
    if (closing) {
      drop(record, "the records writer is closed");
      return false;
    }
    if (held.incrementAndGet() > capacity) {
      held.decrementAndGet();
      drop(record, failing
          ? "the records store is failing and the buffer of " + capacity + " records is full"
          : "the buffer of " + capacity + " records is full (the store writes slower than calls end)");
      return false;
    }
    accepted.incrementAndGet();
    queue.add(record);
    // Waking the writer costs a lock and a futex call on the call's thread: only when it sleeps
    // for want of records (while it lingers or writes, it will look at the queue anyway).
    if (idle) {
      signal();
    }
    return true;
  }

  /** Records dropped since the start because the buffer was full or the writer closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Records accepted and not yet written. */
  public int pending() {
    return held.get();
  }

  /** Records written to the store (a call id it already had counts too). */
  public long written() {
    return written.get();
  }

  /** Waits until every record accepted before this call is written; false when the timeout came first. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long target = accepted.get();
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (written.get() < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes what is still held, retrying a failing store while {@code timeout} allows, then stops the
   * thread; records still held then are logged as lost. New submissions are refused from now on.
   */
  public void close(Duration timeout) {
    if (closing) {
      join(System.nanoTime() + timeout.toNanos()); // closed already: it has reported its outcome
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    closeDeadlineNanos = deadline;
    closing = true;
    signal();
    join(deadline);
    int left = held.get();
    if (left > 0) {
      LOG.error("call records: {} record(s) lost at shutdown: the store did not take them within {}", left, timeout);
    } else {
      LOG.info("call records: writer closed, {} written, {} dropped", written.get(), dropped.get());
    }
  }

  private void join(long deadlineNanos) {
    try {
      // The thread honours the deadline between attempts; a store call in progress may overrun it a little.
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 2_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<CallRecord> batch = new ArrayList<>(BATCH);
    Duration backoff = minBackoff;
    Instant outageStart = null;
    long droppedAtOutageStart = 0;
    long lastWrite = System.nanoTime() - LINGER.toNanos();
    while (true) {
      if (batch.isEmpty() && !closing && held.get() < BATCH) {
        long wait = LINGER.toNanos() - (System.nanoTime() - lastWrite);
        if (wait > 0) {
          awaitSleep(wait); // let records gather for one transaction; closing cuts it short
        }
      }
      if (batch.isEmpty()) {
        for (CallRecord r; batch.size() < BATCH && (r = queue.poll()) != null; ) {
          batch.add(r);
        }
      }
      if (batch.isEmpty()) {
        if (closing) {
          return;
        }
        awaitSignal(Long.MAX_VALUE);
        continue;
      }
      if (closing && System.nanoTime() - closeDeadlineNanos >= 0) {
        return; // out of time: close() reports what is left
      }
      lastWrite = System.nanoTime();
      try {
        store.insert(batch);
      } catch (RecordStore.StoreException | RuntimeException e) {
        if (outageStart == null) {
          outageStart = clock.instant();
          droppedAtOutageStart = dropped.get();
          failing = true;
          LOG.warn("call records: the store is failing, holding up to {} records in memory and retrying: {}",
              capacity, e.getMessage());
        } else {
          LOG.debug("call records: store still failing: {}", e.getMessage());
        }
        long waitNanos = backoff.toNanos();
        if (closing) {
          waitNanos = Math.min(waitNanos, closeDeadlineNanos - System.nanoTime());
        }
        if (waitNanos > 0) {
          awaitSleep(waitNanos);
        }
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        continue;
      }
      int n = batch.size();
      batch.clear();
      held.addAndGet(-n);
      lock.lock();
      try {
        written.addAndGet(n);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      backoff = minBackoff;
      if (outageStart != null) {
        failing = false;
        LOG.info("call records: the store works again after {} ms; {} record(s) dropped meanwhile, {} still to write",
            Duration.between(outageStart, clock.instant()).toMillis(), dropped.get() - droppedAtOutageStart,
            held.get());
        outageStart = null;
      }
    }
  }

  /** Waits for new records or closing, without a deadline when {@code nanos} is Long.MAX_VALUE. */
  private void awaitSignal(long nanos) {
    lock.lock();
    try {
      // Set before looking at the queue, and submit() adds before reading it: one of the two sees
      // the other, so a record is never left unnoticed while the writer sleeps.
      idle = true;
      if (queue.isEmpty() && !closing) {
        if (nanos == Long.MAX_VALUE) {
          changed.await();
        } else {
          changed.awaitNanos(nanos);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      idle = false;
      lock.unlock();
    }
  }

  /** The backoff between retries: only closing cuts it short (new records do not, they join the queue). */
  private void awaitSleep(long nanos) {
    long end = System.nanoTime() + nanos;
    lock.lock();
    try {
      boolean wasClosing = closing;
      for (long left = nanos; left > 0 && closing == wasClosing; left = end - System.nanoTime()) {
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void drop(CallRecord record, String why) {
    dropped.incrementAndGet();
    droppedSinceWarning.incrementAndGet();
    long now = clock.millis();
    long next = nextDropWarning.get();
    // One thread wins the right to warn for the interval; the others only count.
    if (now >= next && nextDropWarning.compareAndSet(next, now + DROP_WARNING_INTERVAL.toMillis())) {
      LOG.warn("call records: {} record(s) dropped since the last warning (latest call {}): {}; {} dropped in all",
          droppedSinceWarning.getAndSet(0), record.callId(), why, dropped.get());
    }
  }
}
