package io.ringhook.sip;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long the oldest piece of unprocessed work has waited, in milliseconds: the measured signal of
 * the overload check. Zero when nothing waits. The SIP server measures its own stages (the stack's UDP
 * queue, the call workers); {@link SipServer.Builder#alsoBehind} adds one it cannot see.
 */
public interface QueueDelay {
  long millis();

  /** The longer of two delays. */
  static QueueDelay max(QueueDelay a, QueueDelay b) {
    return () -> Math.max(a.millis(), b.millis());
  }

  /** A fixed thread pool whose queue delay (the age of its oldest waiting task) is measured. */
  final class TimedPool extends ThreadPoolExecutor implements QueueDelay {
    private final LongSupplier nanoTime;

    TimedPool(int threads, ThreadFactory factory, LongSupplier nanoTime) {
      super(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
      this.nanoTime = nanoTime;
    }

    @Override
    public void execute(Runnable task) {
      super.execute(new Stamped(task, nanoTime.getAsLong()));
    }

    @Override
    public long millis() {
      Runnable head = getQueue().peek();
      return head instanceof Stamped s ? Math.max(0, (nanoTime.getAsLong() - s.queuedAt) / 1_000_000) : 0;
    }

    private record Stamped(Runnable task, long queuedAt) implements Runnable {
      @Override
      public void run() {
        task.run();
      }
    }
  }
}
