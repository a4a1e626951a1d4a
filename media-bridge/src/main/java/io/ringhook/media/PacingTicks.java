package io.ringhook.media;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The pacing timers of a pool of RTP streams: one 20 ms timer per event loop, whose every run
 * ticks all the streams bound to that loop.
 *
 * <p>One timer task per call cost every event loop a priority-queue reorder and a wake-up per call
 * every 20 ms (JFR showed {@code DefaultPriorityQueue} and the selector near the top at 500
 * calls); one task per loop costs one wake-up per loop, whatever the number of calls. The streams
 * of a loop start their slot clocks on this timer's phase, so each run finds exactly one slot due
 * for each of them. Each loop's list is touched only on that loop; the map of loops is the one
 * shared structure. A loop's timer is cancelled when its last stream leaves.
 */
final class PacingTicks {
  private final Ticker ticker;
  private final Map<EventLoop, LoopTick> loops = new ConcurrentHashMap<>();

  /** @param ticker the clock the streams' pacers read, to align their slots with the timer */
  PacingTicks(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /**
   * Binds {@code stream} to its loop's timer, starting the timer if it is the first. Called on
   * {@code loop}.
   *
   * @return the time of the timer's slot boundary at or before now, for the stream's pacer to start on
   */
  long add(EventLoop loop, RtpStream stream) {
    LoopTick tick = loops.computeIfAbsent(loop, l -> new LoopTick(l, ticker.nanoTime()));
    tick.add(stream);
    long now = ticker.nanoTime();
    return now - Math.floorMod(now - tick.phase, Pacer.PTIME_NANOS);
  }

  /** Unbinds {@code stream}; the last stream of a loop stops its timer. Called on {@code loop}. */
  void remove(EventLoop loop, RtpStream stream) {
    LoopTick tick = loops.get(loop);
    if (tick != null) {
      tick.remove(stream);
    }
  }

  /** How many loops have a timer running (for tests). */
  int timers() {
    return loops.size();
  }

  /** One loop's timer and its streams; confined to that loop. */
  private final class LoopTick implements Runnable {
    final long phase;
    private final EventLoop loop;
    private final ArrayList<RtpStream> streams = new ArrayList<>();
    private final ScheduledFuture<?> future;
    private boolean running;
    private boolean holes;

    LoopTick(EventLoop loop, long phase) {
      this.loop = loop;
      this.phase = phase;
      this.future = loop.scheduleAtFixedRate(this, Pacer.PTIME_NANOS, Pacer.PTIME_NANOS,
          TimeUnit.NANOSECONDS);
    }

    void add(RtpStream stream) {
      streams.add(stream);
    }

    void remove(RtpStream stream) {
      int i = streams.indexOf(stream);
      if (i < 0) {
        return;
      }
      if (running) {
        streams.set(i, null); // compacted after the run: the run's index stays valid
        holes = true;
        return;
      }
      streams.remove(i);
      stopIfEmpty();
    }

    @Override
    public void run() {
      running = true;
      try {
        for (int i = 0; i < streams.size(); i++) {
          RtpStream s = streams.get(i);
          if (s != null) {
            s.tick();
          }
        }
      } finally {
        running = false;
      }
      if (holes) {
        holes = false;
        streams.removeIf(Objects::isNull);
        stopIfEmpty();
      }
    }

    private void stopIfEmpty() {
      if (streams.isEmpty()) {
        future.cancel(false);
        loops.remove(loop, this);
      }
    }
  }
}
