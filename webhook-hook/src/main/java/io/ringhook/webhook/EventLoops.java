package io.ringhook.webhook;

import io.netty.channel.EventLoop;
import java.util.concurrent.RejectedExecutionException;

/** Running a task on an event loop: at once when already there, else queued. */
final class EventLoops {

  private EventLoops() {}

  /**
   * Runs {@code r} on {@code loop}.
   *
   * @return false when the loop has shut down and will never run it
   */
  static boolean run(EventLoop loop, Runnable r) {
    if (loop.inEventLoop()) {
      r.run();
      return true;
    }
    try {
      loop.execute(r);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }
}
