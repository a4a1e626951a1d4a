package io.ringhook.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code startup} section: the warm-up before the SIP port opens.
 *
 * @param warmup      how long start-up may exercise the call path before SIP listens, at most; zero skips it
 * @param warmupCalls the synthetic calls after which the warm-up ends sooner: what the JIT compiles depends
 *                    on how often each method ran (calls), not on how long the warm-up took
 */
public record StartupSettings(Duration warmup, int warmupCalls) {
  /**
   * The defaults: up to 60 s, ended by the 12,000th call. On the 2-core reference box a cold campaign of 500
   * calls a second completed every call after warm-ups of 9,100 calls or more, and 79-95 % of them after
   * 7,059 and 8,984; the calls a 30 s warm-up managed varied from 7,000 to 11,000 from start to start
   * (docs/sizing.md, BENCHMARKS.md).
   */
  public static final StartupSettings DEFAULTS = new StartupSettings(Duration.ofSeconds(60), 12_000);

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
