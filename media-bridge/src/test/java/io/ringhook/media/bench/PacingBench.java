package io.ringhook.media.bench;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH harness for the cost of pacing many calls on one event loop: a 20 ms timer per call (calls
 * start at random moments, so their timers are spread over the 20 ms), or one 20 ms timer per
 * loop that runs every call's tick (what {@code PacingTicks} does). Each call's tick does the same
 * trivial work in both, so the difference is the scheduling: timer queue, wake-ups, selects.
 *
 * <p>The figure is the loop thread's CPU time (not wall time, so a busy machine disturbs it
 * little), in milliseconds per second of pacing, as the auxiliary counter {@code loopCpuMs} of
 * each iteration (JMH's summary line adds the iterations up: divide it by their number, 10 with
 * these settings). Run with {@code sipp-scenarios/bench/jmh.sh media-bridge -- PacingBench}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, batchSize = 1)
@Measurement(iterations = 5, batchSize = 1)
@Fork(2)
@State(Scope.Benchmark)
public class PacingBench {
  private static final long PTIME_NANOS = 20_000_000L;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Param({"1000"})
  public int calls;

  @Param({"timer-per-call", "timer-per-loop"})
  public String pacing;

  private EventLoopGroup group;
  private EventLoop loop;
  private long loopThread;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private long[] slots;
  private volatile long sink;

  /** The loop thread's CPU, per second of pacing. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Cpu {
    public double loopCpuMs;
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loop = group.next();
    loopThread = loop.submit(() -> Thread.currentThread().getId()).get();
    slots = new long[calls];
    SplittableRandom random = new SplittableRandom(16);
    loop.submit(() -> {
      if (pacing.equals("timer-per-call")) {
        for (int i = 0; i < calls; i++) {
          int call = i;
          timers.add(loop.scheduleAtFixedRate(() -> tick(call), random.nextLong(PTIME_NANOS),
              PTIME_NANOS, TimeUnit.NANOSECONDS));
        }
      } else {
        timers.add(loop.scheduleAtFixedRate(() -> {
          for (int i = 0; i < calls; i++) {
            tick(i);
          }
        }, PTIME_NANOS, PTIME_NANOS, TimeUnit.NANOSECONDS));
      }
    }).get();
  }

  /** A call's 20 ms of work, the same in both set-ups: a slot counted. */
  private void tick(int call) {
    slots[call]++;
  }

  @TearDown(Level.Trial)
  public void stop() {
    timers.forEach(t -> t.cancel(false));
    for (long s : slots) {
      sink += s;
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One second of pacing, measured as the loop thread's CPU time. */
  @Benchmark
  public void oneSecond(Cpu cpu) throws InterruptedException {
    long cpu0 = THREADS.getThreadCpuTime(loopThread);
    long wall0 = System.nanoTime();
    Thread.sleep(1000);
    long cpu1 = THREADS.getThreadCpuTime(loopThread);
    long wall1 = System.nanoTime();
    cpu.loopCpuMs = (cpu1 - cpu0) / 1e6 / ((wall1 - wall0) / 1e9);
  }
}
