package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.ringhook.server.config.ConfigLoader;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.peers.LogCapture;
import io.ringhook.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The warm-up when a stage fails: one WARN line, no exception, and it ends on time. */
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
      List<String> lines = logs.atLeast(Level.INFO);
      assertEquals(1, lines.size(), String.join("\n", lines));
      assertTrue(lines.get(0).startsWith("WARN warm-up: ") && lines.get(0).endsWith("the first real calls will be slow"),
          lines.get(0));
    }
    assertTrue(report.took().compareTo(Duration.ofSeconds(7)) < 0, "bounded: " + report.took());
    Await.until("the callers' threads to end", Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet()
        .stream().noneMatch(t -> t.getName().startsWith(Warmup.THREADS)));
  }
}
