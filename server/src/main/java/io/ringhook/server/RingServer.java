package io.ringhook.server;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.media.EchoMediaBridge;
import io.ringhook.media.NettyTransport;
import io.ringhook.media.RtpEndpoints;
import io.ringhook.media.agent.AgentMediaBridge;
import io.ringhook.media.agent.DemoAgent;
import io.ringhook.server.admin.AdminApi;
import io.ringhook.server.admin.EffectiveNumber;
import io.ringhook.server.admin.NumberDirectory;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.config.Secret;
import io.ringhook.server.http.HttpFrontend;
import io.ringhook.server.live.LiveCalls;
import io.ringhook.server.metrics.MeterHistory;
import io.ringhook.server.metrics.RingMetrics;
import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.JdbcRecordStore;
import io.ringhook.server.records.RecordStore;
import io.ringhook.server.records.RecordWriter;
import io.ringhook.sip.CallObserver;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.MediaBridge;
import io.ringhook.sip.Outcome;
import io.ringhook.sip.SipServer;
import io.ringhook.webhook.WebhookClient;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running ringhook: the SIP server, the webhook client, the agent media bridge, the call
 * records and the HTTP port (admin API, health, metrics, built-in demo agent) on one shared set of
 * Netty event loops, wired from one {@link RingConfig}. {@link Main} runs one; integration tests
 * start their own on free ports.
 */
public final class RingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RingServer.class);
  /** How long closing waits for the records still queued to reach the store. */
  static final Duration RECORDS_FLUSH = Duration.ofSeconds(10);
  /** At most this many records a second of INVITEs refused by the trunk ACL are stored (scanners). */
  static final double ACL_RECORDS_PER_SECOND = 20;
  /** How often each event loop's lag is probed ({@link EventLoopLag}). */
  static final Duration LOOP_PROBE_EVERY = Duration.ofMillis(10);
  /** Admin requests waiting for a database thread before new ones get 503. */
  private static final int ADMIN_QUEUE = 256;

  /** The WebSocket routes of the HTTP port: the built-in demo agent. */
  static final Map<String, Consumer<ChannelPipeline>> AGENT_WEB_SOCKETS =
      Map.of(DemoAgent.PATH, pipeline -> DemoAgent.addTo(pipeline, DemoAgent.PATH));

  private final RingConfig config;
  private final Parts parts;
  private final WarmupReport warmup;
  private volatile boolean closed;

  /** Everything started, so that a failed start and {@link #close()} release the same things. */
  private static final class Parts {
    EventLoopGroup group;
    EventLoopLag loopLag;
    ExecutorService blocking;
    RecordStore store;
    RecordWriter writer;
    NumberDirectory numbers;
    AutoCloseable refresh;
    AutoCloseable history;
    RingMetrics metrics;
    HttpFrontend http;
    WebhookClient webhooks;
    CallEndedDeliverer callEnded;
    final AtomicReference<SipServer> sip = new AtomicReference<>();

    void close(Duration sipGrace) {
      quietly(callEnded); // first: what is pending stays in the store for the next start
      SipServer s = sip.get();
      if (s != null) {
        s.close(sipGrace);
      }
      if (writer != null) {
        writer.close(RECORDS_FLUSH);
      }
      quietly(refresh);
      quietly(history);
      if (http != null) {
        http.close();
      }
      if (webhooks != null) {
        webhooks.close();
      }
      if (blocking != null) {
        blocking.shutdownNow();
      }
      if (store != null) {
        store.close();
      }
      if (metrics != null) {
        metrics.close();
      }
      quietly(loopLag);
      if (group != null) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }

    private static void quietly(AutoCloseable c) {
      if (c == null) {
        return;
      }
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("close failed: {}", e.toString());
      }
    }
  }

  private RingServer(RingConfig config, Parts parts, WarmupReport warmup) {
    this.config = config;
    this.parts = parts;
    this.warmup = warmup;
  }

  /** Starts everything the configuration describes; fails fast, releasing what was started. */
  public static RingServer start(RingConfig config) {
    return start(config, CallObserver.none());
  }

  /** As {@link #start(RingConfig)}, also telling {@code observer} about every call that ends. */
  public static RingServer start(RingConfig config, CallObserver observer) {
    Parts p = new Parts();
    try {
      p.group = new MultiThreadIoEventLoopGroup(0, NettyTransport.ioHandlerFactory());
      LOG.info("network I/O: {}", NettyTransport.describe());
      Collector.advice(Collector.names(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory())
          .ifPresent(LOG::warn);
      // Bounded: requests beyond what the database keeps up with get 503 rather than queue forever.
      p.blocking = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(ADMIN_QUEUE),
          daemon("ringhook-admin"), new ThreadPoolExecutor.AbortPolicy());
      p.store = JdbcRecordStore.open(config.records().url(), config.records().user(),
          config.records().password().map(Secret::value));
      p.writer = new RecordWriter(p.store, config.records().buffer());
      p.numbers = new NumberDirectory(config);
      p.numbers.reload(p.store);
      p.metrics = new RingMetrics();
      RingMetrics metrics = p.metrics;
      RecordWriter writer = p.writer;
      ScannerFilter scanners = scannerFilter();
      metrics.bindSuppressed(scanners::suppressed);
      p.refresh = p.numbers.startRefresh(p.store, p.blocking, p.group.next(), config.records().numbersRefresh());

      LiveCalls live = new LiveCalls(Clock.systemUTC());
      MeterHistory history = new MeterHistory(metrics.registry(), Clock.systemUTC());
      AdminApi admin = AdminApi.builder(p.numbers, p.store, p.blocking)
          .adminToken(config.http().adminToken().map(Secret::value))
          .allowedHosts(config.http().allowedHosts())
          .webhookTargets(config.webhook().targets())
          .readiness(() -> notReady(p))
          .metrics(metrics::scrape)
          .stats(history::json)
          .liveCalls(live)
          .userAgent("ringhook/" + Version.get())
          .build();
      p.http = HttpFrontend.start(config.http().host(), config.http().port(), p.group,
          AGENT_WEB_SOCKETS, admin);

      WebhookClient.Builder wb = WebhookClient.builder().eventLoopGroup(p.group).version(Version.get())
          .maxConnectionsPerOrigin(config.webhook().maxConnectionsPerOrigin())
          .targets(config.webhook().targets());
      config.webhook().caFile().ifPresent(wb::extraCaFile);
      p.webhooks = wb.build();
      RtpEndpoints endpoints = RtpEndpoints.create(config.rtp(), p.group, Ticker.systemTicker());
      AgentDirectory agents = new AgentDirectory(config, p.http.port());
      MediaBridge bridge = agents.bridge(new EchoMediaBridge(endpoints),
          new AgentMediaBridge(endpoints, agents, p.group, metrics.agentListener()));
      WarmupReport warmup;
      try (PortHold sipPort = config.startup().warms() ? holdSipPort(config.sip().host(), config.sip().port())
          : PortHold.NONE) {
        warmup = Warmup.run(config, p.group, p.http.port());
      }
      // After the warm-up, whose calls would read as lag: the overload check also reads the event loops.
      p.loopLag = loopLag(p.group);
      SipServer sip = callPath(config, p.numbers, p.webhooks, live, metrics, bridge, recordsTo(scanners, writer),
          observer).alsoBehind(p.loopLag).start();
      p.sip.set(sip);
      metrics.bindCalls(sip::activeCalls, sip::ringingCalls, sip::callsInSetup);
      metrics.bindRejected(sip::overloadRefusals, sip::sourceLimitRefusals);
      metrics.bindEventLoopLag(p.loopLag::millis);
      metrics.bindSipEdge(sip::outsidersRefused, sip::tcpConnections, sip::tcpRefusals);
      p.history = history.start(p.group.next());
      metrics.bindRtp(endpoints.totals());
      metrics.bindRecords(writer::written, writer::dropped, writer::pending);
      metrics.bindWebhookPools(p.webhooks::poolStats);
      p.callEnded = new CallEndedDeliverer(p.store, p.numbers, Clock.systemUTC(), Version.get(),
          metrics::callEndedDelivery).start();
      LOG.info("ringhook {} ready: SIP {}:{}, RTP {}-{}, HTTP {}:{}, {} numbers, default agent {}, records {} "
          + "({} ms after the JVM started)", Version.get(), config.sip().host(), config.sip().port(),
          config.rtp().portMin(), config.rtp().portMax(), config.http().host(), p.http.port(), config.numbers().size(),
          config.defaultAgent(), p.store, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
      return new RingServer(config, p, warmup);
    } catch (RecordStore.StoreException e) {
      p.close(Duration.ZERO);
      throw new IllegalStateException(e.getMessage(), e);
    } catch (RuntimeException e) {
      p.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * The event loops' lag probe of the overload check. Made here for the server and its {@link Warmup} alike:
   * each {@code System::nanoTime} written in a class of its own is a class of its own, and the JIT, having
   * compiled the probe for the warm-up's, threw the code away for the server's.
   */
  static EventLoopLag loopLag(EventLoopGroup group) {
    return new EventLoopLag(group, LOOP_PROBE_EVERY, System::nanoTime);
  }

  /** The filter of scanners' records (see {@link #loopLag} for why one place makes it). */
  static ScannerFilter scannerFilter() {
    return new ScannerFilter(ACL_RECORDS_PER_SECOND, System::nanoTime);
  }

  /**
   * Where the call path's records go: {@code writer}, but at most {@link #ACL_RECORDS_PER_SECOND} a second of
   * INVITEs the trunk ACL refused. One sink for the server and its {@link Warmup}, so that the JIT sees the same
   * class at that call site in both.
   */
  static Consumer<CallRecord> recordsTo(ScannerFilter scanners, RecordWriter writer) {
    return record -> {
      if (scanners.admit(record)) {
        writer.submit(record);
      }
    };
  }

  /**
   * The call path behind a SIP listener on {@code config}'s {@code sip} section: the webhook decision for the
   * number, the agent media bridge, and, for each ended call, its record (to {@code records}) and metrics.
   * The server runs one; the start-up {@link Warmup} runs a throw-away one on loopback.
   */
  static SipServer.Builder callPath(RingConfig config, NumberDirectory numbers, WebhookClient webhooks, LiveCalls live,
                                    RingMetrics metrics, MediaBridge bridge, Consumer<CallRecord> records,
                                    CallObserver observer) {
    return SipServer.builder(config.sipConfig(Version.userAgent()))
        .decider(live.watch(new WebhookDecider(numbers, webhooks, config.defaultAgent(),
            (call, attempt) -> {
              metrics.webhookAttempt(attempt);
              live.attemptEnded(call, attempt);
            }, config.webhook().circuitBreaker().map(cb -> new CircuitBreakers(cb, System::nanoTime,
                (origin, from, to) -> metrics.circuitChanged(to.value())))),
            call -> numbers.lookup(call.toNumber()).flatMap(n -> n.webhookUrl()).isPresent()))
        .bridge(live.watch(bridge))
        .admission(config.admission())
        .observer(summary -> {
          live.ended(summary.call().callId());
          CallRecord record = CallRecorder.toRecord(summary, callEndedUrl(config, numbers, summary));
          records.accept(record);
          metrics.callEnded(record);
          observer.callEnded(summary);
        });
  }

  /**
   * Fails now, not after the warm-up's seconds, when the SIP port is taken or the address is not this host's;
   * otherwise keeps the port bound for UDP and TCP until closed, just before the SIP stack binds it for good.
   * Held, because the warm-up's tens of thousands of outgoing connections and sockets take ports from the
   * kernel's ephemeral range: a SIP port inside that range, let go, was once taken by one of them and the
   * server could not start ("Address already in use" after a 35 s warm-up).
   */
  private static PortHold holdSipPort(String host, int port) {
    if (port == 0) {
      return PortHold.NONE;
    }
    try {
      return PortHold.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen for SIP on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /**
   * Binds {@code at} for UDP, then the same address and port for TCP, and lets both go: the port (the kernel's
   * choice when {@code at}'s is 0), free for a SIP listener on both transports at that moment.
   */
  static int bindUdpAndTcp(InetSocketAddress at) throws IOException {
    try (PortHold hold = PortHold.bind(at)) {
      return hold.port();
    }
  }

  /**
   * A UDP socket and a TCP socket bound to one address and port (the TCP one not listening, so nothing connects
   * to it), held until {@link #close()}: while held, the kernel hands the port to no other socket, explicit bind
   * or ephemeral.
   */
  static final class PortHold implements AutoCloseable {
    static final PortHold NONE = new PortHold(null, null);

    private final DatagramSocket udp;
    private final Socket tcp;

    private PortHold(DatagramSocket udp, Socket tcp) {
      this.udp = udp;
      this.tcp = tcp;
    }

    static PortHold bind(InetSocketAddress at) throws IOException {
      DatagramSocket udp = new DatagramSocket(at);
      Socket tcp = new Socket();
      try {
        tcp.bind(new InetSocketAddress(at.getAddress(), udp.getLocalPort()));
      } catch (IOException | RuntimeException e) {
        tcp.close();
        udp.close();
        throw e;
      }
      return new PortHold(udp, tcp);
    }

    int port() {
      return udp.getLocalPort();
    }

    @Override
    public void close() {
      if (udp == null) {
        return;
      }
      udp.close();
      try {
        tcp.close();
      } catch (IOException e) {
        // an unconnected socket: nothing to flush, nothing to report
      }
    }
  }

  /** Where the call's {@code call_ended} event goes: its number's URL (or the section's); none for scanners. */
  private static Optional<URI> callEndedUrl(RingConfig config, NumberDirectory numbers, CallSummary s) {
    if (s.outcome() == Outcome.REJECTED_ACL) {
      return Optional.empty();
    }
    return numbers.lookup(s.call().toNumber()).map(EffectiveNumber::webhook).orElse(config.webhook()).callEndedUrl();
  }

  /**
   * Why the server should not get calls now; empty when it should. The records database is not
   * among the reasons: calls go on while it is down (their records wait in memory), and a shared
   * PostgreSQL outage must not take every instance out of rotation at once.
   */
  private static List<String> notReady(Parts p) {
    List<String> reasons = new ArrayList<>();
    SipServer sip = p.sip.get();
    if (sip == null) {
      reasons.add("SIP is not listening yet");
    } else if (sip.draining()) {
      reasons.add("draining for shutdown");
    }
    return reasons;
  }

  public RingConfig config() {
    return config;
  }

  /** What the start-up warm-up did before SIP listened ({@link WarmupReport#NONE} when {@code startup.warmup} is 0). */
  public WarmupReport warmup() {
    return warmup;
  }

  /** The HTTP port (admin API, health, metrics, demo agent). */
  public int httpPort() {
    return parts.http.port();
  }

  /** Calls in progress. */
  public int activeCalls() {
    return parts.sip.get().activeCalls();
  }

  /** Inbound SIP/TCP connections open now. */
  public int sipTcpConnections() {
    return parts.sip.get().tcpConnections();
  }

  /** Records not yet written to the store. */
  public int pendingRecords() {
    return parts.writer.pending();
  }

  /**
   * The graceful stop of SIGTERM: new INVITEs get 503 with {@code Retry-After} and {@code /readyz}
   * turns 503; calls in progress go on for up to {@code shutdown.grace}; then {@link #close()}.
   */
  public void shutdown() {
    SipServer sip = parts.sip.get();
    sip.drain(config.shutdown().retryAfter());
    if (sip.awaitNoCalls(config.shutdown().grace())) {
      LOG.info("all calls ended");
    } else {
      LOG.info("grace of {} over: ending {} calls", config.shutdown().grace(), sip.activeCalls());
    }
    close();
  }

  /**
   * Stops now: ringing calls get 503, answered calls BYE, the records still queued are written,
   * then sockets and threads are released.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    parts.close(Duration.ofSeconds(5));
    LOG.info("ringhook stopped");
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
