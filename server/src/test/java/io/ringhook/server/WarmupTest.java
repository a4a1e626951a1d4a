package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.ringhook.server.config.ConfigLoader;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.http.HttpFrontend;
import io.ringhook.server.peers.LogCapture;
import io.ringhook.sip.QueueDelay;
import io.ringhook.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up when a stage fails (one WARN line, no exception, and it ends on time), and what ends it: its call
 * target once the JIT has caught up, or its deadline. The JIT's compile time is injected: the real one depends on
 * what this JVM ran before.
 */
class WarmupTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  @AfterEach
  void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void anAgentThatCannotBeReachedIsOneWarnLineAndTheStartGoesOn() throws Exception {
    int nothingListens;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nothingListens = s.getLocalPort();
    }
    RingConfig config = ConfigLoader.parse("startup:\n  warmup: 3s\n", Map.of());
    WarmupReport report;
    try (LogCapture logs = LogCapture.of("io.ringhook")) {
      report = Warmup.run(config, group, nothingListens);

      // The webhook stage ran; the agent's did not, so every call was refused (503) and none was answered.
      assertTrue(report.calls() > 0 && report.webhooks() > 0 && report.refused() > 0, report.toString());
      assertEquals(0, report.answered(), report.toString());
      assertTrue(report.refusedOnPurpose() < report.refused(), "not only on purpose: " + report);
      List<String> lines = logs.atLeast(Level.INFO);
      assertEquals(1, lines.size(), String.join("\n", lines));
      assertTrue(lines.get(0).startsWith("WARN warm-up: ") && lines.get(0).endsWith("the first real calls will be slow"),
          lines.get(0));
    }
    assertTrue(report.took().compareTo(Duration.ofSeconds(7)) < 0, "bounded: " + report.took());
    Await.until("the callers' threads to end", Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet()
        .stream().noneMatch(t -> t.getName().startsWith(Warmup.THREADS)));
  }

  @Test
  void itEndsAtItsCallTargetOnceTheJitHasCaughtUp() throws Exception {
    RingConfig config = ConfigLoader.parse("startup:\n  warmup: 1m\n  warmup_calls: 40\n", Map.of());
    AtomicLong compiled = new AtomicLong(5_000); // idle: what it compiled before the warm-up, and no more
    WarmupReport report;
    try (HttpFrontend agents = HttpFrontend.start("127.0.0.1", 0, group, RingServer.AGENT_WEB_SOCKETS);
         LogCapture logs = LogCapture.of("io.ringhook")) {
      report = Warmup.run(config, group, agents.port(), Optional.of(compiled::get));
      assertEquals(List.of("INFO warm-up: " + report.calls() + " synthetic calls through the call path in "
          + report.took().toMillis() + " ms, the last " + report.lastRound()
          + " on a fresh copy (startup.warmup 60000 ms, warmup_calls 40): " + report.webhooks()
          + " webhook requests, " + report.answered() + " answered (agent WebSocket, RTP port), " + report.echoed()
          + " with RTP echoed by the agent, " + report.ended() + " ended with BYE, " + report.recorded()
          + " records written (to a throw-away store), " + report.refused() + " refused with 503 ("
          + report.refusedOnPurpose() + " on purpose: one INVITE in 8, as an overload would), "
          + report.failed() + " failed; the JIT compiled for 0 ms (its threads' total) and had caught up"),
          logs.atLeast(Level.INFO));
    }
    assertTrue(report.calls() >= 80 && report.ended() > 0 && report.jitSettled(), report.toString());
    assertTrue(report.lastRound() >= 40 && report.lastRound() < report.calls(),
        "a second round of warmup_calls on a fresh copy: " + report);
    assertTrue(report.refusedOnPurpose() > 0 && report.refusedOnPurpose() <= report.refused(),
        "the refusal path ran: " + report);
    // Every shape of INVITE (WarmupCaller.SHAPES take turns) answered 200, or refused 503 as an overload would.
    assertEquals(0, report.failed(), report.toString());
    assertEquals(report.calls(), report.answered() + report.refused(), report.toString());
    assertEquals(report.answered(), report.recorded(), "a record each answered call (an overload's 503 leaves none): "
        + report);
    assertEquals(OptionalLong.of(0), report.compileMillis());
    assertTrue(report.took().compareTo(Duration.ofSeconds(30)) < 0, "ended by its calls, not the minute: " + report);
  }

  @Test
  void whileTheJitKeepsCompilingItRunsToItsDeadline() throws Exception {
    RingConfig config = ConfigLoader.parse("startup:\n  warmup: 4s\n  warmup_calls: 40\n", Map.of());
    long start = System.nanoTime();
    LongSupplier busy = () -> (System.nanoTime() - start) / 1_000_000; // one compiler busy all the time
    WarmupReport report;
    try (HttpFrontend agents = HttpFrontend.start("127.0.0.1", 0, group, RingServer.AGENT_WEB_SOCKETS);
         LogCapture logs = LogCapture.of("io.ringhook")) {
      report = Warmup.run(config, group, agents.port(), Optional.of(busy));
      List<String> lines = logs.atLeast(Level.INFO);
      assertEquals(1, lines.size(), String.join("\n", lines));
      assertTrue(lines.get(0).startsWith("INFO warm-up: ") && lines.get(0).endsWith(
          " ms (its threads' total) and was still compiling when startup.warmup ran out"), lines.get(0));
    }
    assertTrue(report.calls() >= 40 && report.ended() > 0 && !report.jitSettled(), report.toString());
    assertTrue(report.took().compareTo(Duration.ofSeconds(4)) >= 0, "ran to its deadline: " + report);
    assertEquals(0, report.lastRound(), "no time left for a second round: " + report);
    assertTrue(report.compileMillis().orElseThrow() >= 4000, report.toString());
  }

  @Test
  void everyNthReadsAsAnHourBehindOnceInNReads() {
    QueueDelay stage = Warmup.everyNth(8);
    for (int round = 0; round < 3; round++) {
      for (int i = 1; i < 8; i++) {
        assertEquals(0, stage.millis(), "read " + i);
      }
      assertEquals(Duration.ofHours(1).toMillis(), stage.millis(), "read 8");
    }
  }
}
