package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When the JIT counts as caught up: compile time against elapsed time over a sliding window. */
class JitSettleTest {
  private static final long MS = 1_000_000;

  @Test
  void notSettledBeforeAWholeWindowHasPassed() {
    JitSettle jit = new JitSettle(Duration.ofSeconds(3), 0.05);
    assertFalse(jit.settled(0, 1000));
    assertFalse(jit.settled(2999 * MS, 1000), "flat, but only 2.999 s seen");
    assertTrue(jit.settled(3000 * MS, 1000), "flat over 3 s");
  }

  @Test
  void busyCompilersAreNotSettledAndAQuietWindowIs() {
    JitSettle jit = new JitSettle(Duration.ofSeconds(3), 0.05);
    long compile = 0;
    for (long t = 0; t <= 10_000; t += 50) { // compiling the whole time: a second a second
      assertFalse(jit.settled(t * MS, compile += 50), "busy at " + t + " ms");
    }
    // Then nothing compiles: settled once the window holds at most 150 ms (5 % of 3 s) of the busy time,
    // i.e. from 2,850 ms into the quiet time on.
    long t = 10_000;
    for (int i = 1; i <= 60; i++) {
      t += 50;
      assertTrue(jit.settled(t * MS, compile) == (i >= 57), "at " + t + " ms");
    }
  }

  @Test
  void theShareIsTheLimit() {
    JitSettle jit = new JitSettle(Duration.ofSeconds(2), 0.05);
    assertFalse(jit.settled(0, 0));
    assertTrue(jit.settled(2000 * MS, 100), "100 ms of 2 s: 5 %, at the limit");
    assertFalse(jit.settled(2050 * MS, 201), "more than 5 % of the last 2 s");
  }

  @Test
  void aWindowMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new JitSettle(Duration.ZERO, 0.05));
    assertThrows(IllegalArgumentException.class, () -> new JitSettle(Duration.ofSeconds(1), -1));
  }
}
