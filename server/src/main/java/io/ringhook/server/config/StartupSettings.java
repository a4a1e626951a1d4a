package io.ringhook.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code startup} section: the warm-up before the SIP port opens.
 *
 * @param warmup      how long start-up may exercise the call path before SIP listens, at most; zero skips it
 * @param warmupCalls the synthetic calls the warm-up makes at least before it ends sooner (once the JIT has
 *                    caught up): what the JIT compiles depends on how often each method ran (calls), not on
 *                    how long the warm-up took
 */
public record StartupSettings(Duration warmup, int warmupCalls) {
  /**
   * The defaults: at least 12,000 calls and until the JIT has caught up with them, then a last round on a fresh
   * copy, up to 3 minutes in all. On the 2-core reference box a cold campaign of 500 calls a second completed
   * every call after warm-ups of 9,100 calls or more; with the warm-up's calls made like real ones (session 13)
   * both rounds took 118-131 s on two cores, and on one core the first had not caught up when the 3 minutes
   * ran out (docs/sizing.md, BENCHMARKS.md).
   */
  public static final StartupSettings DEFAULTS = new StartupSettings(Duration.ofMinutes(3), 12_000);

  public StartupSettings {
    Objects.requireNonNull(warmup, "warmup");
    if (warmupCalls < 1) {
      throw new IllegalArgumentException("warmupCalls must be positive: " + warmupCalls);
    }
  }

  /** Whether start-up warms the call path at all ({@code warmup: 0s} skips it). */
  public boolean warms() {
    return !warmup.isZero();
  }
}
