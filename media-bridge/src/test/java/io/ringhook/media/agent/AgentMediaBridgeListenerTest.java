package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.media.RtpEndpoints;
import io.ringhook.media.RtpSettings;
import io.ringhook.media.agent.AgentMediaBridge.AgentTarget;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.MediaException;
import io.ringhook.sip.MediaSession;
import io.ringhook.sip.Outcome;
import io.ringhook.testing.Await;
import io.ringhook.testing.EventLoops;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link AgentMediaBridge.Listener}: each call's agent connect latency and outcome, against a real
 * local WebSocket agent and real RTP ports.
 */
class AgentMediaBridgeListenerTest {
  @RegisterExtension
  static final EventLoops LOOPS = new EventLoops(2);
  private static final EventLoopGroup group = LOOPS.group();

  private TestAgentServer agent;
  private RtpEndpoints rtp;
  private final Reports reports = new Reports();

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
  }

  /** One report: "connected" or the failure kind, with its call, target and latency. */
  record Report(String outcome, InboundCall call, AgentTarget target, Duration latency, String thread) {
  }

  private static final class Reports implements AgentMediaBridge.Listener {
    final BlockingQueue<Report> queue = new LinkedBlockingQueue<>();

    @Override
    public void agentConnected(InboundCall call, AgentTarget target, Duration latency) {
      queue.add(new Report("connected", call, target, latency, Thread.currentThread().getName()));
    }

    @Override
    public void agentFailed(InboundCall call, AgentTarget target, Duration latency, String kind) {
      queue.add(new Report(kind, call, target, latency, Thread.currentThread().getName()));
    }

    Report next() throws InterruptedException {
      Report r = queue.poll(10, TimeUnit.SECONDS);
      assertNotNull(r, "no report from the bridge");
      return r;
    }
  }

  private AgentMediaBridge bridge(AgentTarget target) throws Exception {
    return bridge(target, reports);
  }

  private AgentMediaBridge bridge(AgentTarget target, AgentMediaBridge.Listener listener) throws Exception {
    int base;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      base = probe.getLocalPort() & ~1;
    }
    int max = Math.min(65534, base + 20);
    rtp = RtpEndpoints.create(new RtpSettings("127.0.0.1", max - 20, max, Duration.ofSeconds(30)), group,
        Ticker.systemTicker());
    return new AgentMediaBridge(rtp, call -> target, group, listener);
  }

  private static InboundCall call(String id) {
    return new InboundCall(id, id + "@test", "local", new InetSocketAddress(InetAddress.getLoopbackAddress(), 5060),
        "+12345678912", "+12345678913");
  }

  private static MediaException openFails(CompletableFuture<MediaSession> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(15, TimeUnit.SECONDS));
    return (MediaException) e.getCause();
  }

  private void awaitPortsFree() throws InterruptedException {
    Await.until("RTP ports released", Duration.ofSeconds(5), () -> rtp.portsInUse() == 0);
    assertEquals(0, rtp.portsInUse(), "RTP port released");
  }

  @Test
  void aConnectedAgentIsReportedWithItsTargetAndLatency() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.WEBSOCKET);
    AgentTarget target = new AgentTarget("sales", agent.url(), Duration.ofSeconds(5));
    AgentMediaBridge bridge = bridge(target);
    InboundCall call = call("listen-1");

    long t0 = System.nanoTime();
    MediaSession session = bridge.open(call, CallDecision.connect(Map.of())).get(10, TimeUnit.SECONDS);
    long openNanos = System.nanoTime() - t0;

    Report r = reports.next();
    assertEquals("connected", r.outcome());
    assertEquals(call, r.call());
    assertEquals(target, r.target());
    assertTrue(!r.latency().isZero() && r.latency().toNanos() <= openNanos,
        "latency " + r.latency() + " within the open's " + Duration.ofNanos(openNanos));
    session.close("bye");
    assertNull(reports.queue.poll(200, TimeUnit.MILLISECONDS), "one report per call");
    awaitPortsFree();
  }

  @Test
  void anHttpErrorToTheUpgradeIsReportedAsItsKind() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.NOT_FOUND);
    AgentMediaBridge bridge = bridge(new AgentTarget("support", agent.url(), Duration.ofSeconds(5)));

    MediaException e = openFails(bridge.open(call("listen-2"), CallDecision.connect(Map.of())));

    assertEquals(Outcome.AGENT_UNREACHABLE, e.outcome());
    Report r = reports.next();
    assertEquals("agent_http_status", r.outcome());
    assertEquals("support", r.target().name());
    awaitPortsFree();
  }

  @Test
  void aRefusedAgentIsReportedAsRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI url = URI.create("ws://127.0.0.1:" + port + "/stream");
    AgentMediaBridge bridge = bridge(new AgentTarget("gone", url, Duration.ofSeconds(5)));

    openFails(bridge.open(call("listen-3"), CallDecision.connect(Map.of())));

    Report r = reports.next();
    assertEquals("agent_refused", r.outcome());
    assertEquals(url, r.target().url());
  }

  @Test
  void aSilentAgentTimesOutAfterItsConnectTimeout() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.SILENT);
    AgentMediaBridge bridge = bridge(new AgentTarget("slow", agent.url(), Duration.ofMillis(300)));

    openFails(bridge.open(call("listen-4"), CallDecision.connect(Map.of())));

    Report r = reports.next();
    assertEquals("agent_timeout", r.outcome());
    assertTrue(r.latency().toMillis() >= 290 && r.latency().toMillis() < 5000, "latency " + r.latency());
  }

  @Test
  void aCallCancelledWhileTheAgentConnectsIsReportedAsCancelled() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.SILENT);
    AgentMediaBridge bridge = bridge(new AgentTarget("slow", agent.url(), Duration.ofSeconds(30)));

    CompletableFuture<MediaSession> f = bridge.open(call("listen-5"), CallDecision.connect(Map.of()));
    agent.awaitEvent("active");
    // The agent is still connecting a while, so the latency has something to measure.
    Await.holds("still connecting", Duration.ofMillis(200), () -> !f.isDone());
    assertTrue(f.cancel(true));

    Report r = reports.next();
    assertEquals(AgentMediaBridge.CANCELLED, r.outcome());
    assertTrue(r.latency().toMillis() >= 190 && r.latency().toMillis() < 10_000, "latency " + r.latency());
    assertEquals("inactive", agent.awaitEvent("inactive"));
    awaitPortsFree();
  }

  @Test
  void aThrowingListenerDoesNotStopTheCall() throws Exception {
    agent = TestAgentServer.start(group, TestAgentServer.Mode.WEBSOCKET);
    AgentTarget target = new AgentTarget("sales", agent.url(), Duration.ofSeconds(5));
    AgentMediaBridge bridge = bridge(target, new AgentMediaBridge.Listener() {
      @Override
      public void agentConnected(InboundCall call, AgentTarget t, Duration latency) {
        throw new IllegalStateException("listener trouble");
      }

      @Override
      public void agentFailed(InboundCall call, AgentTarget t, Duration latency, String kind) {
        throw new IllegalStateException("listener trouble");
      }
    });

    try (io.ringhook.media.CapturedLogs logs = new io.ringhook.media.CapturedLogs(AgentMediaBridge.class)) {
      MediaSession session = bridge.open(call("listen-6"), CallDecision.connect(Map.of())).get(10, TimeUnit.SECONDS);
      session.close("bye");
      awaitPortsFree();
      assertTrue(logs.lines().contains("WARN call listen-6: agent listener failed [java.lang.IllegalStateException]"),
          logs.lines().toString());
    }
  }
}
