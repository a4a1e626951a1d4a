package io.ringhook.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in tests for something another thread does: the one helper instead of sleeps and
 * hand-written polling loops. {@link #until} returns as soon as the condition holds and fails with
 * what was awaited; {@link #holds} checks that something stays true (nothing happens) for a
 * window, which is the only honest use of waiting a fixed time.
 */
public final class Await {
  /** How often a condition is looked at: fine enough not to slow a test, coarse enough to cost nothing. */
  private static final long POLL_MILLIS = 5;

  private Await() {}

  /** Waits until {@code condition} holds; fails after {@code timeout} saying {@code what} was awaited. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
      }
      pause();
    }
  }

  /** As {@link #until}, with the description computed on failure (e.g. the state seen last). */
  public static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what.get());
      }
      pause();
    }
  }

  /** Checks that {@code condition} holds throughout {@code window}; fails at once when it stops holding. */
  public static void holds(String what, Duration window, BooleanSupplier condition) {
    long end = System.nanoTime() + window.toNanos();
    do {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("stopped holding: " + what);
      }
      pause();
    } while (System.nanoTime() - end < 0);
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
