package io.ringhook.server;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Whether the JIT has caught up with the code that runs: the time its compiler threads spent compiling
 * ({@link CompilationMXBean#getTotalCompilationTime()}, summed over C1 and C2) grew by at most {@code share}
 * of the time that passed over the last {@code window}. While a workload is still new to the JVM the
 * compilers are busy the whole time (about one second of compiling per second on one core); once the
 * methods it runs are compiled, the sum stays flat. Fed one sample at a time; not thread-safe.
 */
final class JitSettle {
  private final long windowNanos;
  private final double share;
  /** Samples {nanoTime, compile millis}, oldest first; the first is the newest one at least a window old. */
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();

  JitSettle(Duration window, double share) {
    if (window.isNegative() || window.isZero() || share < 0) {
      throw new IllegalArgumentException("window must be positive and share not negative: " + window + ", " + share);
    }
    this.windowNanos = window.toNanos();
    this.share = share;
  }

  /** The JVM's compile time in milliseconds, when it measures it. */
  static Optional<LongSupplier> compileMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? Optional.of(jit::getTotalCompilationTime) : Optional.empty();
  }

  /**
   * Takes the compile time {@code compileMillis} read at {@code nowNanos} ({@link System#nanoTime()}) and says
   * whether, over the last window, the compilers were busy for at most {@code share} of it. False until a
   * window has passed since the first sample.
   */
  boolean settled(long nowNanos, long compileMillis) {
    samples.addLast(new long[] {nowNanos, compileMillis});
    while (samples.size() > 1) {
      long[] oldest = samples.pollFirst();
      if (nowNanos - samples.peekFirst()[0] < windowNanos) {
        samples.addFirst(oldest);
        break;
      }
    }
    long[] from = samples.peekFirst();
    long elapsed = nowNanos - from[0];
    return elapsed >= windowNanos && (compileMillis - from[1]) * 1_000_000.0 <= share * elapsed;
  }
}
