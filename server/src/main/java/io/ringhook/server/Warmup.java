package io.ringhook.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.media.EchoMediaBridge;
import io.ringhook.media.NettyTransport;
import io.ringhook.media.RtpEndpoints;
import io.ringhook.media.RtpSettings;
import io.ringhook.media.agent.AgentMediaBridge;
import io.ringhook.server.admin.NumberDirectory;
import io.ringhook.server.config.NumberSettings;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.config.Secret;
import io.ringhook.server.config.StartupSettings;
import io.ringhook.server.config.TrunkSettings;
import io.ringhook.server.config.WebhookSettings;
import io.ringhook.server.http.HttpFrontend;
import io.ringhook.server.http.HttpReply;
import io.ringhook.server.live.LiveCalls;
import io.ringhook.server.logging.QuietLogs;
import io.ringhook.server.metrics.RingMetrics;
import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.JdbcRecordStore;
import io.ringhook.server.records.RecordStore;
import io.ringhook.server.records.RecordWriter;
import io.ringhook.sip.AdmissionSettings;
import io.ringhook.sip.CallObserver;
import io.ringhook.sip.MediaBridge;
import io.ringhook.sip.QueueDelay;
import io.ringhook.sip.SipConfig;
import io.ringhook.sip.SipServer;
import io.ringhook.webhook.WebhookClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up warm-up ({@code startup.warmup}, {@code startup.warmup_calls}): before the SIP port
 * opens, synthetic calls through a loopback-only copy of the whole call path, so that the JIT has
 * compiled it before a carrier's first second. It ends once {@code warmup_calls} calls have been made and
 * the JIT has caught up with them ({@link JitSettle}: its compilers idle for a few seconds while the calls
 * go on), then makes a last round on a fresh copy ({@link #LAST_ROUND_CALLS}), or stops at the {@code warmup}
 * deadline if that comes first. The JIT compiles a method once it has run
 * often enough (invocation counts), so the calls made decide what is queued for compiling, and how many a
 * second a cold JVM manages varies from start to start; but with one C2 thread the queue is long, the
 * thresholds rise with it (-XX:Tier4LoadFeedback), and on one core it took about two minutes of calls
 * before it ran dry: a warm-up ended at a fixed count left C2 compiling the call path during the first
 * busy minute (BENCHMARKS.md, issue 14). A freshly started JVM offered 500 calls a second interprets
 * JAIN-SIP's transactions and dialogs, Netty, the webhook's JSON and the agent's codec for its first
 * ten thousand calls and falls behind; parsing alone (what the warm-up did before) left most of that cold.
 *
 * <p>The copy is the server's own wiring ({@link RingServer#callPath}) with throw-away parts: its
 * own JAIN-SIP stack on a free 127.0.0.1 port with the configured trunks (loopback allowed), its own webhook
 * client calling an in-process endpoint (a second {@link HttpFrontend} on 127.0.0.1), its own RTP ports on
 * 127.0.0.1, the server's media bridge with the built-in demo agent whatever {@code default_agent} says,
 * records written to a SQLite store in a temporary directory, and live calls and metrics that go nowhere;
 * one new INVITE in {@link #REFUSE_EVERY} is refused as an overload would refuse it. Where the copy's part
 * is a different class from the server's, the JIT's profile of that call site would not hold for the real
 * calls: the first of them threw compiled code away (BENCHMARKS.md, issue 14, session 13), so the parts are
 * the server's classes, and {@link WarmupCaller}s place calls written as SIPp, carriers and other peers
 * write them. Then everything is closed: no record in the real store, no metric, no request to a
 * customer's URL, no file, socket or thread remains, and the per-call log lines of those loggers are
 * held back ({@link QuietLogs}); one line says what ran. When the copy cannot start (e.g. loopback UDP
 * refused), one WARN line says why and SIP parsing alone is warmed for the rest of the budget (at most
 * {@link #FALLBACK}), as before.
 */
final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** The dialed number of half the synthetic calls: its webhook requests are signed. */
  static final String NUMBER = "+15550000100";
  /** The dialed number of the other half: its webhook requests are not signed (numbers differ in that). */
  static final String UNSIGNED_NUMBER = "+15550000101";
  /** Calls in progress at once: enough to keep two cores busy while each call waits on its peers. */
  static final int CALLERS = 16;
  /** At most this long of SIP parsing alone when the copy cannot start (parsing warms in seconds). */
  static final Duration FALLBACK = Duration.ofSeconds(10);
  /** How often the warm-up looks whether its callers have made {@code warmup_calls} calls and the JIT has settled. */
  static final Duration POLL = Duration.ofMillis(50);
  /**
   * The JIT has caught up with the calls when, over this window, its compilers were busy for at most
   * {@link #JIT_SHARE} of it (it is busy the whole time while the call path is new to it).
   */
  static final Duration JIT_WINDOW = Duration.ofSeconds(3);
  /** See {@link #JIT_WINDOW}: a method or two compiled in three seconds, the odd recompilation. */
  static final double JIT_SHARE = 0.05;
  /** How long the calls in progress at the end get to finish before their callers are closed. */
  static final Duration LAST_CALL = Duration.ofMillis(500);
  /** How long the copy's calls still in progress get to end when it closes (the RI's stop then sleeps 1 s more). */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
  /** The thread name prefix of the callers. */
  static final String THREADS = "ringhook-warm-up-";
  /**
   * The loggers whose per-call lines the warm-up holds back, and those of its records store's set-up (its
   * migrations, its pool); nothing else uses them before SIP listens (the real records store opened before the
   * warm-up, and its writer has nothing to write until the first real call).
   */
  static final List<String> QUIET = List.of("io.ringhook.sip", "io.ringhook.media", "io.ringhook.webhook",
      "gov.nist", HttpFrontend.class.getName(), JdbcRecordStore.class.getName(), RecordWriter.class.getName(),
      "org.flywaydb", "com.zaxxer.hikari");
  /**
   * One new INVITE in this many is refused as if the server were overloaded (503 through its transaction, the
   * caller's ACK), so that the refusal path is compiled with the rest. Left out, an overload's first second was
   * the first time the SIP stack's hottest methods met it, and the JIT threw their compiled code away and
   * compiled them again while the server was busiest (BENCHMARKS.md, issue 14, sessions 11 and 12).
   */
  static final int REFUSE_EVERY = 8;
  /** The copy's overload limits: longer than any wait of a cold JVM, shorter than {@link EveryNth}'s hour. */
  static final Duration WARM_LIMIT = Duration.ofMinutes(1);
  /**
   * The in-process webhook's answers, in turn, as CRMs answer: variables of each JSON type, variables with
   * metadata, nothing, so the decoding and the agent's start message take each of their paths.
   */
  static final List<String> WEBHOOK_ANSWERS = List.of(
      "{\"dynamic_variables\":{\"customer\":\"warm-up\",\"tier\":1,\"vip\":false}}",
      "{\"dynamic_variables\": {\"first_name\": \"Jim\", \"balance\": 12.5}, \"metadata\": {\"crm_id\": \"A-1\"}}",
      "{\n  \"dynamic_variables\": {\n    \"first_name\": \"Ann\",\n    \"open_tickets\": 2\n  }\n}\n",
      "{}");
  /**
   * The calls the warm-up's last round, on a fresh copy, makes at least (at most {@code warmup_calls}); like the
   * first, it goes on until the JIT has caught up (thousands more: its first calls throw compiled code away). Code
   * that does something the first time on a thread or on an instance (a thread-local buffer, the MDC's map, a
   * webhook client's first connection to an origin, its resolver for an event loop) did it at the start of the
   * first round, before the JIT compiled it, and never again: compiled without that branch, it was thrown away at
   * the first real call, on the server's own new threads and instances. The last round does it again on
   * compiled code, so that the JIT compiles it in before the port opens.
   */
  static final int LAST_ROUND_CALLS = 2_000;
  /** How often the warm-up reads the HTTP port's {@code /metrics}, as a scraper would. */
  static final Duration SCRAPE_EVERY = Duration.ofMillis(500);

  private Warmup() {}

  /** Runs the warm-up that {@code config} asks for, the demo agent being on {@code httpPort}; logs one line. */
  static WarmupReport run(RingConfig config, EventLoopGroup group, int httpPort) {
    return run(config, group, httpPort, JitSettle.compileMillis());
  }

  /** {@link #run(RingConfig, EventLoopGroup, int)} with the JIT's compile time (ms) read from {@code jit}. */
  static WarmupReport run(RingConfig config, EventLoopGroup group, int httpPort, Optional<LongSupplier> jit) {
    StartupSettings startup = config.startup();
    Duration budget = startup.warmup();
    if (!startup.warms()) {
      return WarmupReport.NONE;
    }
    long t0 = System.nanoTime();
    WarmupReport report;
    try (QuietLogs quiet = QuietLogs.of(QUIET)) {
      long deadline = t0 + budget.toNanos();
      report = callPath(config, group, httpPort, t0, deadline, startup.warmupCalls(), jit);
      if (report.ended() > 0 && System.nanoTime() < deadline) {
        WarmupReport last = callPath(config, group, httpPort, System.nanoTime(), deadline,
            Math.min(LAST_ROUND_CALLS, startup.warmupCalls()), jit);
        report = rounds(report, last, Duration.ofNanos(System.nanoTime() - t0));
      }
    } catch (IOException | RuntimeException e) {
      String problem = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn("warm-up: the call path could not be warmed ({}); warming SIP parsing only", problem);
      Duration left = budget.minusNanos(System.nanoTime() - t0);
      left = left.compareTo(FALLBACK) > 0 ? FALLBACK : left;
      long invites = left.isNegative() ? 0 : SipServer.warmUp(left);
      report = new WarmupReport(Duration.ofNanos(System.nanoTime() - t0), 0, invites, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          OptionalLong.empty(), false, Optional.of(problem));
      LOG.info("warm-up: {} synthetic INVITEs through SIP parsing, responses and SDP in {} ms (startup.warmup {} ms)",
          invites, report.took().toMillis(), budget.toMillis());
      return report;
    }
    String line = "warm-up: {} synthetic calls through the call path in {} ms, the last {} on a fresh copy "
        + "(startup.warmup {} ms, warmup_calls {}): "
        + "{} webhook requests, {} answered (agent WebSocket, RTP port), {} with RTP echoed by the agent, {} ended "
        + "with BYE, {} records written (to a throw-away store), {} refused with 503 ({} on purpose: one INVITE in "
        + REFUSE_EVERY + ", as an overload would), {} failed{}";
    Object[] args = {report.calls(), report.took().toMillis(), report.lastRound(), budget.toMillis(),
        startup.warmupCalls(), report.webhooks(), report.answered(), report.echoed(), report.ended(),
        report.recorded(), report.refused(), report.refusedOnPurpose(), report.failed(), jitSummary(report)};
    if (report.ended() == 0) {
      LOG.warn(line + "; the first real calls will be slow", args);
    } else {
      LOG.info(line, args);
    }
    return report;
  }

  /** The report of two rounds, {@code last} after {@code first}, in {@code took} from the start of the first. */
  static WarmupReport rounds(WarmupReport first, WarmupReport last, Duration took) {
    OptionalLong compiled = first.compileMillis().isPresent() && last.compileMillis().isPresent()
        ? OptionalLong.of(first.compileMillis().getAsLong() + last.compileMillis().getAsLong()) : OptionalLong.empty();
    return new WarmupReport(took, last.sipPort(), first.calls() + last.calls(), last.calls(),
        first.webhooks() + last.webhooks(), first.answered() + last.answered(), first.refused() + last.refused(),
        first.refusedOnPurpose() + last.refusedOnPurpose(), first.echoed() + last.echoed(),
        first.ended() + last.ended(), first.failed() + last.failed(), first.recorded() + last.recorded(), compiled,
        last.jitSettled(), Optional.empty());
  }

  /** What the JIT did, for the summary line: "" when the JVM does not measure its compile time. */
  static String jitSummary(WarmupReport report) {
    if (report.compileMillis().isEmpty()) {
      return "";
    }
    return "; the JIT compiled for " + report.compileMillis().getAsLong() + " ms (its threads' total) and "
        + (report.jitSettled() ? "had caught up" : "was still compiling when startup.warmup ran out");
  }

  /**
   * {@code java -jar ringhook.jar warm-up [--config FILE]}: the warm-up alone, then exit, with no SIP port,
   * HTTP port or records of the server's own (the demo agent is served on a free 127.0.0.1 port). What it
   * is for: the training run of a JDK's ahead-of-time cache (scripts/run.sh), which keeps the classes the
   * warm-up loaded and the profiles of the methods it ran for the next start. A configuration that skips the
   * warm-up at start-up ({@code startup.warmup: 0s}, say because it starts from such a cache) still gets one
   * here, bounded by the default time.
   */
  static WarmupReport standalone(RingConfig config) {
    if (!config.startup().warms()) {
      config = config.withStartup(new StartupSettings(StartupSettings.DEFAULTS.warmup(), config.startup().warmupCalls()));
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, NettyTransport.ioHandlerFactory());
    try (HttpFrontend agents = HttpFrontend.start("127.0.0.1", 0, group, RingServer.AGENT_WEB_SOCKETS)) {
      return run(config, group, agents.port());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static WarmupReport callPath(RingConfig config, EventLoopGroup group, int httpPort, long t0, long deadline,
                                       int calls, Optional<LongSupplier> jit) throws IOException {
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    AtomicLong webhookRequests = new AtomicLong();
    AtomicLong recorded = new AtomicLong();
    EveryNth onPurpose = null;
    WarmupCaller.Counts counts = new WarmupCaller.Counts();
    long compiledBefore = jit.map(LongSupplier::getAsLong).orElse(0L);
    boolean settled = false;
    int port = 0;
    try {
      HttpFrontend hook = HttpFrontend.start("127.0.0.1", 0, group, Map.of(), request -> {
        long n = webhookRequests.getAndIncrement();
        HttpReply answer = HttpReply.json(200, WEBHOOK_ANSWERS.get((int) (n % WEBHOOK_ANSWERS.size())));
        // Some CRMs' frameworks add headers of their own: the client's response parsing sees both.
        return CompletableFuture.completedFuture(n % 2 == 0 ? answer
            : answer.withHeader("Server", "warm-up").withHeader("Cache-Control", "no-store"));
      });
      opened.push(hook);
      WebhookClient webhooks = WebhookClient.builder().eventLoopGroup(group).version(Version.get())
          .maxConnectionsPerOrigin(config.webhook().maxConnectionsPerOrigin()).build();
      opened.push(webhooks);
      RingMetrics metrics = new RingMetrics(false);
      opened.push(metrics);
      Consumer<CallRecord> records = throwAwayRecords(config, opened, recorded);
      EventLoopLag lag = RingServer.loopLag(group);
      opened.push(lag);
      onPurpose = everyNth(REFUSE_EVERY);
      SipServer sip = null;
      for (int attempt = 1; sip == null; attempt++) {
        port = freeLoopbackPort();
        RingConfig copy = copy(config, port, URI.create("http://127.0.0.1:" + hook.port() + "/inbound"));
        RtpEndpoints endpoints = RtpEndpoints.create(copy.rtp(), group, Ticker.systemTicker());
        AgentDirectory agents = new AgentDirectory(copy, httpPort);
        MediaBridge bridge = agents.bridge(new EchoMediaBridge(endpoints),
            new AgentMediaBridge(endpoints, agents, group, metrics.agentListener()));
        try {
          sip = RingServer.callPath(copy, new NumberDirectory(copy), webhooks, new LiveCalls(Clock.systemUTC()),
              metrics, bridge, records, CallObserver.none()).alsoBehind(onPurpose).alsoBehind(lag)
              .start();
          metrics.bindRtp(endpoints.totals());
        } catch (SipServer.SipStartException e) {
          if (attempt == 3) { // the free port was a hint only: another process may have taken it
            throw e;
          }
        }
      }
      SipServer started = sip;
      opened.push(() -> started.close(CLOSE_GRACE));
      metrics.bindCalls(sip::activeCalls, sip::ringingCalls, sip::callsInSetup);
      metrics.bindWebhookPools(webhooks::poolStats);
      List<WarmupCaller> callers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        WarmupCaller caller = new WarmupCaller(i, port, i % 2 == 0 ? NUMBER : UNSIGNED_NUMBER, counts);
        callers.add(caller);
        opened.push(caller);
        Thread t = new Thread(caller, THREADS + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      URI metricsUri = new AgentDirectory(config, httpPort).ownHttp("/metrics");
      Optional<String> token = config.http().adminToken().map(Secret::value);
      settled = awaitCalls(counts, calls, deadline, jit, () -> scrape(metricsUri, token));
      callers.forEach(WarmupCaller::finish);
      long joinBy = System.nanoTime() + LAST_CALL.toNanos();
      for (Thread t : threads) {
        long left = joinBy - System.nanoTime();
        if (left > 0) {
          t.join(Math.max(1, left / 1_000_000));
        }
      }
      callers.forEach(WarmupCaller::close); // ends a call that is still waiting: the copy's close ends it
      for (Thread t : threads) {
        t.join(1000);
      }
      metrics.scrape();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      while (!opened.isEmpty()) {
        try {
          opened.pop().close();
        } catch (Exception e) {
          LOG.debug("warm-up: close failed: {}", e.toString());
        }
      }
    }
    OptionalLong compiled = jit.isEmpty() ? OptionalLong.empty()
        : OptionalLong.of(jit.get().getAsLong() - compiledBefore);
    return new WarmupReport(Duration.ofNanos(System.nanoTime() - t0), port, counts.invites.get(), 0,
        webhookRequests.get(), counts.answered.get(), counts.refused.get(), onPurpose == null ? 0 : onPurpose.fired(),
        counts.echoed.get(), counts.ended.get(), counts.failed.get(), recorded.get(), compiled,
        settled && jit.isPresent(), Optional.empty());
  }

  /**
   * The copy's records: the server's own sink ({@link RingServer#recordsTo}) and writer, into a SQLite store in a
   * directory of its own that is deleted when the warm-up closes. When no such store can be made (no writable
   * temporary directory), the records go nowhere and the warm-up goes on without that path. {@code written}
   * gets how many the writer wrote, once it has closed.
   */
  private static Consumer<CallRecord> throwAwayRecords(RingConfig config, Deque<AutoCloseable> opened,
                                                      AtomicLong written) {
    Path dir;
    try {
      dir = Files.createTempDirectory("ringhook-warm-up-");
    } catch (IOException | RuntimeException e) {
      LOG.debug("warm-up: no records store: {}", e.toString());
      return record -> { };
    }
    opened.push(() -> {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    });
    try {
      RecordStore store = JdbcRecordStore.open("jdbc:sqlite:" + dir.resolve("records.db"), Optional.empty(),
          Optional.empty());
      opened.push(store);
      RecordWriter writer = new RecordWriter(store, config.records().buffer());
      opened.push(() -> {
        writer.close(CLOSE_GRACE);
        written.set(writer.written());
      });
      return RingServer.recordsTo(RingServer.scannerFilter(), writer);
    } catch (RecordStore.StoreException | RuntimeException e) {
      LOG.debug("warm-up: no records store: {}", e.toString());
      return record -> { };
    }
  }

  /** A stage that reads as an hour behind once in {@code n} reads: the overload check reads it once per new INVITE. */
  static EveryNth everyNth(int n) {
    return new EveryNth(n);
  }

  /** See {@link #everyNth}; counts the reads that refused. */
  static final class EveryNth implements QueueDelay {
    private final int n;
    private final AtomicLong reads = new AtomicLong();

    private EveryNth(int n) {
      this.n = n;
    }

    @Override
    public long millis() {
      return reads.incrementAndGet() % n == 0 ? Duration.ofHours(1).toMillis() : 0;
    }

    /** How many reads were an hour behind: the INVITEs refused on purpose. */
    long fired() {
      return reads.get() / n;
    }
  }

  /**
   * Sleeps until the callers have placed {@code calls} calls and the JIT has caught up with them ({@link JitSettle},
   * when the JVM measures its compile time), or until {@code deadline} of {@link System#nanoTime()}; returns
   * whether the JIT had caught up when it stopped waiting.
   */
  private static boolean awaitCalls(WarmupCaller.Counts counts, int calls, long deadline, Optional<LongSupplier> jit,
                                    Runnable scrape) throws InterruptedException {
    JitSettle settle = new JitSettle(JIT_WINDOW, JIT_SHARE);
    boolean settled = jit.isEmpty();
    long nextScrape = System.nanoTime();
    for (long now = System.nanoTime(); now < deadline; now = System.nanoTime()) {
      if (now - nextScrape >= 0) {
        scrape.run();
        nextScrape = now + SCRAPE_EVERY.toNanos();
      }
      // Sampled from the start, so that a JIT already idle when the calls are made does not add a window.
      settled = jit.isEmpty() || settle.settled(now, jit.get().getAsLong());
      if (settled && counts.invites.get() >= calls) {
        break;
      }
      Thread.sleep(Math.max(1, Math.min((deadline - now) / 1_000_000, POLL.toMillis())));
    }
    return settled;
  }

  /**
   * A GET of the server's own {@code /metrics}, as Prometheus or a load harness scrapes it while calls go on (the
   * HTTP server's request path shares Netty's codec with the webhook client and the agent's WebSocket); the
   * answer is read and dropped, a failure ignored. A read of the real registry, which counts nothing yet.
   */
  static void scrape(URI uri, Optional<String> adminToken) {
    try {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      try {
        c.setConnectTimeout(1000);
        c.setReadTimeout(1000);
        adminToken.ifPresent(t -> c.setRequestProperty("Authorization", "Bearer " + t));
        try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
          if (in != null) {
            in.transferTo(OutputStream.nullOutputStream());
          }
        }
      } finally {
        c.disconnect();
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("warm-up: GET {} failed: {}", uri, e.toString());
    }
  }

  /**
   * The configuration of the loopback copy: SIP and RTP on 127.0.0.1 (RTP in the configured range), the
   * configured trunks with loopback allowed, two numbers whose webhook is {@code webhook} (one signed, one not)
   * and whose agent is the demo agent,
   * overload limits a cold JVM does not reach, loopback exempt from the per-source limit, and no warm-up of its own.
   */
  static RingConfig copy(RingConfig config, int sipPort, URI webhook) {
    SipConfig.Listen sip = new SipConfig.Listen("127.0.0.1", sipPort, Optional.empty(), config.sip().tcp());
    RtpSettings rtp = new RtpSettings("127.0.0.1", config.rtp().portMin(), config.rtp().portMax(),
        config.rtp().timeout());
    NumberSettings number = new NumberSettings(NUMBER, Optional.of(webhook), Optional.of(new Secret("warm-up")),
        Optional.of(RingConfig.DEMO_AGENT), WebhookSettings.DEFAULTS);
    NumberSettings unsigned = new NumberSettings(UNSIGNED_NUMBER, Optional.of(webhook), Optional.empty(),
        Optional.of(RingConfig.DEMO_AGENT), WebhookSettings.DEFAULTS);
    // The overload checks run, with limits a cold JVM does not reach (it is slow by definition, and the calls
    // are what warms it; the callers never have more than CALLERS calls in flight): only everyNth's stage
    // refuses, and the set-up check does only in a second in which no set-up finished.
    AdmissionSettings a = config.admission();
    AdmissionSettings admission = new AdmissionSettings(WARM_LIMIT, a.retryAfter(), a.sourceRate(), a.sourceBurst(),
        Stream.concat(a.sourceExempt().stream(), Stream.of("127.0.0.1/32")).toList(), WARM_LIMIT, CALLERS / 4);
    // The configured trunks, each also allowing loopback (the first matches the calls), so that the ACL, the
    // country code and the passed-on headers take the real calls' paths; none configured, none here.
    List<TrunkSettings> trunks = config.trunks().stream().map(t -> new TrunkSettings(t.name(),
        Stream.concat(Stream.of("127.0.0.1/32"), t.allow().stream()).toList(), t.defaultCountryCode(),
        t.sipHeaders())).toList();
    return new RingConfig(sip, rtp, trunks, config.http(), Map.of(NUMBER, number, UNSIGNED_NUMBER, unsigned),
        WebhookSettings.DEFAULTS, Map.of(), RingConfig.DEMO_AGENT,
        config.records(), config.shutdown(), config.logging(), admission, new StartupSettings(Duration.ZERO, 1));
  }

  /** A port free for UDP and TCP on 127.0.0.1, from the kernel's ephemeral range. */
  private static int freeLoopbackPort() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        return RingServer.bindUdpAndTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException("no port free for UDP and TCP on 127.0.0.1: " + last.getMessage(), last);
  }
}
