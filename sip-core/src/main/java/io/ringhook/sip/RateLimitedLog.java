package io.ringhook.sip;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A log line that is written at most once per interval, however often its event happens; the
 * line says how many events it stands for. Hostile traffic (a flood of refused requests or
 * connections) thus costs a few log lines a minute, not one per packet.
 */
final class RateLimitedLog {
  private final Logger log;
  private final Level level;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong nextAt;
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log, Level level, Duration interval, LongSupplier nanoTime) {
    this.log = log;
    this.level = level;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.nextAt = new AtomicLong(nanoTime.getAsLong());
  }

  /**
   * Logs {@code format} at this log's level (SLF4J style, with {@code args}) unless a line was written within
   * the interval; a written line ends with the number of events left out since the last one.
   */
  void log(String format, Object... args) {
    long now = nanoTime.getAsLong();
    long next = nextAt.get();
    if (now - next < 0 || !nextAt.compareAndSet(next, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return;
    }
    long skipped = suppressed.getAndSet(0);
    if (log.isEnabledForLevel(level)) {
      log.atLevel(level).log(format + (skipped > 0 ? " (" + skipped + " more like it not logged)" : ""), args);
    }
  }
}
