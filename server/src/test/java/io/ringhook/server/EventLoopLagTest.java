package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.ringhook.testing.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopLagTest {
  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void oneLoopBusyWithWorkReadsAsBehindFromBeforeItsProbeRunsAndAsCaughtUpOnceFree() throws Exception {
    try (EventLoopLag lag = new EventLoopLag(group, Duration.ofMillis(10), System::nanoTime)) {
      waitFor(() -> lag.millis() < 50, "idle loops read as caught up");
      EventExecutor busy = group.next();
      CountDownLatch release = new CountDownLatch(1);
      busy.execute(() -> {
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      // The other loop keeps running its probe; the worst loop is what counts, and its probe is overdue.
      waitFor(() -> lag.millis() >= 300, "a loop held up for 300 ms reads as 300 ms behind");
      release.countDown();
      waitFor(() -> lag.millis() < 50, "the loop freed reads as caught up again");
    }
  }

  @Test
  void closedItStopsProbingAndReadsZero() throws Exception {
    AtomicLong clockReads = new AtomicLong();
    EventLoopLag lag = new EventLoopLag(group, Duration.ofMillis(10), () -> {
      clockReads.incrementAndGet();
      return System.nanoTime();
    });
    waitFor(() -> clockReads.get() > 10, "the probes run");
    lag.close();
    Thread.sleep(50); // a probe due at the close runs once more
    long reads = clockReads.get();
    Await.holds("no probe ran 50-150 ms after the close", Duration.ofMillis(100), () -> clockReads.get() == reads);
    assertEquals(0, lag.millis());
  }

  private static void waitFor(BooleanSupplier condition, String what) {
    Await.until(what, Duration.ofSeconds(5), condition);
  }
}
