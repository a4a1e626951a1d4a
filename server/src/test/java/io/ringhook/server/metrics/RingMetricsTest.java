package io.ringhook.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Ticker;
import io.ringhook.media.AudioFrame;
import io.ringhook.media.RtpEndpoint;
import io.ringhook.media.RtpEndpoints;
import io.ringhook.media.RtpEvents;
import io.ringhook.media.RtpSettings;
import io.ringhook.media.agent.AgentMediaBridge;
import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.MediaParams;
import com.sun.net.httpserver.HttpServer;
import io.ringhook.testing.Await;
import io.ringhook.webhook.FailureReason;
import io.ringhook.webhook.WebhookClient;
import io.ringhook.webhook.WebhookPolicy;
import io.ringhook.webhook.WebhookRequest;
import io.ringhook.webhook.WebhookResult;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Prometheus text the registry renders after each recording method. */
class RingMetricsTest {
  private static final Instant T0 = Instant.parse("2025-06-01T10:42:00Z");

  private final RingMetrics metrics = new RingMetrics(false);

  @AfterEach
  void tearDown() {
    metrics.close();
  }

  /** The value of one series line, e.g. {@code ringhook_calls_total{outcome="connected"}}; NaN when absent. */
  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static CallRecord record(String outcome) {
    return new CallRecord("c1", "abc@10.0.0.1", "carrier", "10.0.0.1:5060", "+12345678912", "+12345678913",
        T0, Optional.of(T0), Optional.of(T0), Optional.empty(), T0.plusSeconds(3), outcome, 480, "ringhook",
        "webhook failed", Map.of(), Optional.empty(), List.of());
  }

  private static WebhookResult.Attempt attempt(int n, long millis, FailureReason failure) {
    return new WebhookResult.Attempt(n, T0, Duration.ofMillis(millis),
        failure == null ? OptionalInt.of(200) : OptionalInt.empty(), Optional.ofNullable(failure), "");
  }

  @Test
  void callsAreCountedByOutcome() {
    metrics.callEnded(record("connected"));
    metrics.callEnded(record("connected"));
    metrics.callEnded(record("webhook_failed"));
    metrics.callEnded(record("Not A Label!"));

    String s = metrics.scrape();
    assertTrue(s.contains("# TYPE ringhook_calls_total counter"), s);
    assertEquals(2.0, value(s, "ringhook_calls_total{outcome=\"connected\"}"), s);
    assertEquals(1.0, value(s, "ringhook_calls_total{outcome=\"webhook_failed\"}"), s);
    assertEquals(1.0, value(s, "ringhook_calls_total{outcome=\"other\"}"), "odd outcomes collapse: " + s);
  }

  @Test
  void callGaugesReadTheirSuppliersAtScrapeTime() {
    AtomicInteger active = new AtomicInteger(3);
    AtomicInteger ringing = new AtomicInteger(1);
    AtomicInteger inSetup = new AtomicInteger(0);
    metrics.bindCalls(active::get, ringing::get, inSetup::get);
    assertEquals(3.0, value(metrics.scrape(), "ringhook_calls_active"));
    active.set(7);
    ringing.set(4);
    inSetup.set(2);
    System.gc(); // the gauges must not lose their weakly held suppliers

    String s = metrics.scrape();
    assertTrue(s.contains("# TYPE ringhook_calls_active gauge"), s);
    assertEquals(7.0, value(s, "ringhook_calls_active"), s);
    assertEquals(4.0, value(s, "ringhook_calls_ringing"), s);
    assertEquals(2.0, value(s, "ringhook_calls_in_setup"), s);
  }

  @Test
  void eventLoopLagIsAGaugeInSeconds() {
    AtomicLong millis = new AtomicLong(4);
    metrics.bindEventLoopLag(millis::get);
    millis.set(250);
    System.gc();
    String s = metrics.scrape();
    assertTrue(s.contains("# TYPE ringhook_event_loop_lag_seconds gauge"), s);
    assertEquals(0.25, value(s, "ringhook_event_loop_lag_seconds"), s);
  }

  @Test
  void webhookAttemptsByResultAndLatencyHistogram() {
    metrics.webhookAttempt(attempt(1, 8, FailureReason.STATUS));
    metrics.webhookAttempt(attempt(2, 30, FailureReason.TIMEOUT));
    metrics.webhookAttempt(attempt(3, 120, null));
    metrics.webhookAttempt(attempt(1, 4000, FailureReason.CANCELLED));

    String s = metrics.scrape();
    assertEquals(1.0, value(s, "ringhook_webhook_attempts_total{result=\"ok\"}"), s);
    assertEquals(1.0, value(s, "ringhook_webhook_attempts_total{result=\"status\"}"), s);
    assertEquals(1.0, value(s, "ringhook_webhook_attempts_total{result=\"timeout\"}"), s);
    assertEquals(1.0, value(s, "ringhook_webhook_attempts_total{result=\"cancelled\"}"), s);
    assertTrue(s.contains("# TYPE ringhook_webhook_latency_seconds histogram"), s);
    // Cumulative buckets; the cancelled attempt is counted but not timed.
    assertEquals(1.0, value(s, "ringhook_webhook_latency_seconds_bucket{le=\"0.01\"}"), s);
    assertEquals(1.0, value(s, "ringhook_webhook_latency_seconds_bucket{le=\"0.025\"}"), s);
    assertEquals(2.0, value(s, "ringhook_webhook_latency_seconds_bucket{le=\"0.05\"}"), s);
    assertEquals(2.0, value(s, "ringhook_webhook_latency_seconds_bucket{le=\"0.1\"}"), s);
    assertEquals(3.0, value(s, "ringhook_webhook_latency_seconds_bucket{le=\"0.25\"}"), s);
    assertEquals(3.0, value(s, "ringhook_webhook_latency_seconds_bucket{le=\"10.0\"}"), s);
    assertEquals(3.0, value(s, "ringhook_webhook_latency_seconds_bucket{le=\"+Inf\"}"), s);
    assertEquals(3.0, value(s, "ringhook_webhook_latency_seconds_count"), s);
    assertEquals(0.158, value(s, "ringhook_webhook_latency_seconds_sum"), 1e-9);
  }

  @Test
  void webhookPoolsShowWaitersConnectionsAndTheWaitPerOrigin() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hook", exchange -> {
      try {
        answer.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    String origin = "origin=\"http://127.0.0.1:" + server.getAddress().getPort() + "\",protocol=\"http/1.1\"";
    WebhookPolicy patient = WebhookPolicy.DEFAULT.withTimeout(Duration.ofSeconds(20)).withRetries(0);
    ch.qos.logback.classic.Logger poolLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.ringhook.webhook.OriginPool");
    poolLog.setLevel(ch.qos.logback.classic.Level.ERROR); // its pool-full warning is provoked here
    try (WebhookClient client = WebhookClient.builder().maxConnectionsPerOrigin(1).build()) {
      metrics.bindWebhookPools(client::poolStats);
      CompletableFuture<WebhookResult> first =
          client.call(WebhookRequest.unsigned("c1", "+12345678912", "+12345678913", url), patient,
              metrics::webhookAttempt);
      CompletableFuture<WebhookResult> second =
          client.call(WebhookRequest.unsigned("c2", "+12345678912", "+12345678913", url), patient,
              metrics::webhookAttempt);
      Await.until("the second attempt waits", Duration.ofSeconds(10),
          () -> value(metrics.scrape(), "ringhook_webhook_pool_waiters") == 1.0);
      String s = metrics.scrape();
      assertEquals(1.0, value(s, "ringhook_webhook_pool_waiters"), s);
      assertEquals(1.0, value(s, "ringhook_webhook_connections"), s);
      assertEquals(1.0, value(s, "ringhook_webhook_origin_connections{" + origin + "}"), s);
      assertEquals(1.0, value(s, "ringhook_webhook_origin_waiters{" + origin + "}"), s);

      answer.countDown();
      first.get(20, TimeUnit.SECONDS);
      second.get(20, TimeUnit.SECONDS);
      s = metrics.scrape();
      assertEquals(0.0, value(s, "ringhook_webhook_pool_waiters"), s);
      assertEquals(1.0, value(s, "ringhook_webhook_connections_opened_total"), s);
      assertEquals(2.0, value(s, "ringhook_webhook_pool_wait_seconds_count"), s);
      assertTrue(value(s, "ringhook_webhook_pool_wait_seconds_sum") > 0, s);
      assertEquals(1.0, value(s, "ringhook_webhook_pool_wait_seconds_bucket{le=\"0.01\"}"), s);
    } finally {
      poolLog.setLevel(null);
      server.stop(0);
    }
  }

  @Test
  void perOriginSeriesStayFewWhateverTheOrigins() throws Exception {
    try (WebhookClient client = WebhookClient.builder().build()) {
      metrics.bindWebhookPools(client::poolStats);
      List<CompletableFuture<WebhookResult>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < RingMetrics.MAX_ORIGIN_SERIES + 5; i++) {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          closedPort = socket.getLocalPort();
        }
        calls.add(client.call(WebhookRequest.unsigned("c" + i, "+12345678912", "+12345678913",
            URI.create("http://127.0.0.1:" + closedPort + "/")), WebhookPolicy.DEFAULT.withRetries(0)));
      }
      for (CompletableFuture<WebhookResult> c : calls) {
        c.get(20, TimeUnit.SECONDS);
      }
      // Each refused connection is counted closed on its pool's loop, maybe just after its call ended.
      Await.until("every refused connection counted closed", Duration.ofSeconds(10),
          () -> value(metrics.scrape(), "ringhook_webhook_connections") == 0.0);
      String s = metrics.scrape();
      long series = s.lines().filter(l -> l.startsWith("ringhook_webhook_origin_connections{")).count();
      assertEquals(RingMetrics.MAX_ORIGIN_SERIES + 1, series, s);
      assertEquals(0.0, value(s, "ringhook_webhook_origin_connections{origin=\"other\",protocol=\"mixed\"}"), s);
    }
  }

  @Test
  void agentConnectLatencyByResult() throws Exception {
    InboundCall call = new InboundCall("c1", "abc@x", "carrier", new InetSocketAddress("127.0.0.1", 5060),
        "+12345678912", "+12345678913");
    AgentMediaBridge.AgentTarget target =
        new AgentMediaBridge.AgentTarget("sales", new URI("ws://127.0.0.1:9/stream"), Duration.ofSeconds(5));
    AgentMediaBridge.Listener listener = metrics.agentListener();
    listener.agentConnected(call, target, Duration.ofMillis(40));
    listener.agentConnected(call, target, Duration.ofMillis(700));
    listener.agentFailed(call, target, Duration.ofSeconds(5), "agent_timeout");
    listener.agentFailed(call, target, Duration.ofMillis(300), AgentMediaBridge.CANCELLED);

    String s = metrics.scrape();
    assertTrue(s.contains("# TYPE ringhook_agent_connect_seconds histogram"), s);
    assertEquals(2.0, value(s, "ringhook_agent_connect_seconds_count{result=\"ok\"}"), s);
    assertEquals(1.0, value(s, "ringhook_agent_connect_seconds_bucket{result=\"ok\",le=\"0.05\"}"), s);
    assertEquals(2.0, value(s, "ringhook_agent_connect_seconds_bucket{result=\"ok\",le=\"1.0\"}"), s);
    assertEquals(0.0, value(s, "ringhook_agent_connect_seconds_bucket{result=\"agent_timeout\",le=\"2.5\"}"), s);
    assertEquals(1.0, value(s, "ringhook_agent_connect_seconds_bucket{result=\"agent_timeout\",le=\"5.0\"}"), s);
    assertEquals(1.0, value(s, "ringhook_agent_connect_seconds_count{result=\"cancelled\"}"), s);
  }

  @Test
  void recordFiguresAreReadAtScrapeTime() {
    AtomicLong written = new AtomicLong(10);
    AtomicLong dropped = new AtomicLong();
    AtomicInteger pending = new AtomicInteger(2);
    AtomicLong suppressed = new AtomicLong();
    metrics.bindRecords(written::get, dropped::get, pending::get);
    metrics.bindSuppressed(suppressed::get);
    written.set(42);
    dropped.set(1);
    suppressed.set(7);
    System.gc();

    String s = metrics.scrape();
    assertTrue(s.contains("# TYPE ringhook_records_written_total counter"), s);
    assertEquals(42.0, value(s, "ringhook_records_written_total"), s);
    assertEquals(1.0, value(s, "ringhook_records_dropped_total"), s);
    assertEquals(2.0, value(s, "ringhook_records_pending"), s);
    assertEquals(7.0, value(s, "ringhook_records_suppressed_total"), s);
  }

  @Test
  void rtpCountersFollowRealPackets() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (DatagramSocket caller = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      int base = caller.getLocalPort() & ~1;
      int max = Math.min(65534, base + 40);
      RtpEndpoints pool = RtpEndpoints.create(new RtpSettings("127.0.0.1", max - 30, max, Duration.ofSeconds(30)),
          group, Ticker.systemTicker());
      metrics.bindRtp(pool.totals());
      assertEquals(0.0, value(metrics.scrape(), "ringhook_rtp_packets_total{direction=\"in\"}"));

      RtpEndpoint endpoint = pool.open("metrics-1").get(5, TimeUnit.SECONDS);
      BlockingQueue<String> marks = new LinkedBlockingQueue<>();
      endpoint.start(new MediaParams((InetSocketAddress) caller.getLocalSocketAddress(), 0, 101,
          MediaParams.Direction.SENDRECV), new RtpEvents() {
            @Override
            public void onAudio(AudioFrame frame) {
            }

            @Override
            public void onMark(String name, boolean cleared) {
              marks.add(name);
            }

            @Override
            public void onTimeout(Duration silentFor) {
            }
          });
      endpoint.mark("running");
      assertEquals("running", marks.poll(5, TimeUnit.SECONDS), "the endpoint runs");
      // 3..6 never come: 7..10 wait behind them until the reorder stage gives up; then 5 is late.
      InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.localPort());
      for (int seq : new int[] {0, 1, 2, 2, 7, 8, 9, 10, 5}) {
        byte[] rtp = rtp(seq);
        caller.send(new DatagramPacket(rtp, rtp.length, target));
      }
      Await.until("a late packet counted", Duration.ofSeconds(5),
          () -> value(metrics.scrape(), "ringhook_rtp_packets_late_total") >= 1);
      String s = metrics.scrape();
      assertTrue(s.contains("# TYPE ringhook_rtp_packets_total counter"), s);
      assertEquals(9.0, value(s, "ringhook_rtp_packets_total{direction=\"in\"}"), s);
      assertEquals(0.0, value(s, "ringhook_rtp_packets_total{direction=\"out\"}"), s);
      assertEquals(4.0, value(s, "ringhook_rtp_packets_lost_total"), s);
      assertEquals(1.0, value(s, "ringhook_rtp_packets_late_total"), s);
      assertEquals(1.0, value(s, "ringhook_rtp_packets_duplicate_total"), s);
      assertEquals(0.0, value(s, "ringhook_rtp_packets_dropped_total{reason=\"malformed\"}"), s);
      assertEquals(0.0, value(s, "ringhook_rtp_outbound_dropped_bytes_total{reason=\"stale\"}"), s);
      assertEquals(0.0, value(s, "ringhook_rtp_outbound_dropped_bytes_total{reason=\"queue_full\"}"), s);
      endpoint.close("done");
      endpoint.closeFuture().get(5, TimeUnit.SECONDS);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void jvmMetricsAreThereWhenAsked() {
    try (RingMetrics withJvm = new RingMetrics()) {
      String s = withJvm.scrape();
      assertTrue(s.contains("jvm_memory_used_bytes{"), s);
      assertTrue(s.contains("process_uptime_seconds"), s);
    }
    assertFalse(metrics.scrape().contains("jvm_memory_used_bytes"));
  }

  private static byte[] rtp(int seq) {
    ByteBuf buf = UnpooledByteBufAllocator.DEFAULT.buffer(172);
    buf.writeByte(0x80).writeByte(0).writeShort(seq).writeInt(160 * seq).writeInt(0x1234);
    buf.writeZero(160);
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return bytes;
  }
}
