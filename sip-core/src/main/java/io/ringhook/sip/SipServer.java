package io.ringhook.sip;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import gov.nist.javax.sip.EventScanner;
import gov.nist.javax.sip.EventWrapper;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.util.function.LongSupplier;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TransactionTerminatedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP side of ringhook: a JAIN-SIP RI stack listening on UDP and TCP that answers inbound
 * calls as the design says (100, 180, an asynchronous {@link CallDecider}, then 200 with media
 * from the {@link MediaBridge} or a final failure).
 *
 * <pre>{@code
 * SipServer server = SipServer.builder(config).decider(decider).bridge(bridge).start();
 * ...
 * server.close(); // ringing calls get 503, answered ones BYE
 * }</pre>
 */
public final class SipServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SipServer.class);
  private static final AtomicLong STACKS = new AtomicLong();
  /** The RI's UDP message threads (parse and hand to the listener): one, see stackProperties. */
  static final int MESSAGE_THREADS = 1;
  /**
   * The SIP UDP socket's receive buffer asked for (SO_RCVBUF; Linux caps it at net.core.rmem_max):
   * room for a burst of a few thousand datagrams instead of the ~208 KiB default, which dropped
   * thousands of datagrams at once in a collapse. The admission check keeps what waits there from
   * going stale: while the oldest waits over its limit, new INVITEs get an immediate 503.
   */
  static final int RECEIVE_BUFFER = 4 * 1024 * 1024;
  /**
   * Seconds an ended dialog, and an INVITE's transaction after its 2xx, stay in the RI's tables (its default
   * 8). With RiStack's 5 s for a BYE's transaction, 2 s here: 77 MB live at 1,800 calls a second, where the RI's
   * defaults kept 278 MB (BENCHMARKS.md, issue 14, session 15).
   */
  static final int LINGER_SECONDS = 2;

  private final SipConfig config;
  private final SipStack stack;
  private final ExecutorService workers;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentHashMap<String, Call> calls;
  private final SipDispatcher dispatcher;
  private final Admission admission;
  private final SetupsInFlight setups;
  private final Optional<Integer> receiveBuffer;
  private final TcpGuard tcpGuard;
  private volatile boolean closed;
  private volatile boolean draining;

  private SipServer(SipConfig config, SipStack stack, ExecutorService workers, ScheduledExecutorService scheduler,
                    ConcurrentHashMap<String, Call> calls, SipDispatcher dispatcher, Admission admission,
                    SetupsInFlight setups, Optional<Integer> receiveBuffer, TcpGuard tcpGuard) {
    this.config = config;
    this.receiveBuffer = receiveBuffer;
    this.admission = admission;
    this.setups = setups;
    this.tcpGuard = tcpGuard;
    this.dispatcher = dispatcher;
    this.stack = stack;
    this.workers = workers;
    this.scheduler = scheduler;
    this.calls = calls;
  }

  /**
   * Runs synthetic INVITEs through SIP parsing, response building and SDP for up to {@code budget},
   * so that the JIT has compiled them before the first real call; call it before {@link Builder#start()}.
   *
   * @return how many synthetic INVITEs ran
   */
  public static long warmUp(Duration budget) {
    return SipWarmup.run(System.nanoTime() + budget.toNanos(), System::nanoTime);
  }

  public static Builder builder(SipConfig config) {
    return new Builder(config);
  }

  /** The SIP port (UDP and TCP). */
  public int port() {
    return config.port();
  }

  /** The server's JAIN-SIP stack (tests: that a closed server's stack is let go). */
  SipStack stack() {
    return stack;
  }

  /** Calls not yet ended: ringing, connecting, answered or ending. */
  public int activeCalls() {
    return calls.size();
  }

  /** Inbound SIP/TCP connections open now. */
  public int tcpConnections() {
    return tcpGuard.openConnections();
  }

  /**
   * Inbound SIP/TCP connections refused at accept time or closed for sending no complete message,
   * since start, by reason: {@code no_trunk}, {@code total_cap}, {@code source_cap},
   * {@code first_message_timeout}.
   */
  public java.util.Map<String, Long> tcpRefusals() {
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    tcpGuard.refusals().forEach((k, v) -> out.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
    return out;
  }

  /** Requests from sources outside every trunk answered with a stateless 403 (ACKs ignored) since start. */
  public long outsidersRefused() {
    return dispatcher.outsidersRefused();
  }

  /** Calls that ring or connect: no final response sent yet. */
  public int ringingCalls() {
    int n = 0;
    for (Call c : calls.values()) {
      if (c.early()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Calls being set up: admitted and not yet answered or ended, and not waiting for their webhook (what
   * the overload check reads against {@link AdmissionSettings#maxSetupTime()}).
   */
  public int callsInSetup() {
    return setups.inFlight();
  }

  /** New INVITEs refused with 503 because the server was behind ({@link AdmissionSettings#maxQueueDelay()}). */
  public long overloadRefusals() {
    return admission.refused(Admission.Reason.OVERLOAD);
  }

  /** New INVITEs refused with 503 because their source was over its rate ({@link AdmissionSettings#sourceRate()}). */
  public long sourceLimitRefusals() {
    return admission.refused(Admission.Reason.SOURCE_LIMIT);
  }

  /**
   * Starts a graceful drain: from now on new INVITEs are refused with 503 and {@code Retry-After}
   * (RFC 3261 21.5.4) so that carriers try another server, and OPTIONS get the same answer so that
   * a load balancer's probe takes this instance out; calls in progress go on. Wait
   * for {@link #activeCalls()} to reach zero, then {@link #close(Duration)}.
   */
  public void drain(Duration retryAfter) {
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative");
    }
    draining = true;
    dispatcher.drain(retryAfter);
    LOG.info("draining: new INVITEs get 503 (Retry-After {} s), so do OPTIONS probes; {} calls in progress", retryAfter.toSeconds(),
        calls.size());
  }

  /**
   * Waits up to {@code timeout} for every call to end (e.g. after {@link #drain(Duration)}).
   *
   * @return whether none is left
   */
  public boolean awaitNoCalls(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!calls.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return calls.isEmpty();
  }

  /** The SIP UDP socket's receive buffer as the kernel reports it (SO_RCVBUF), or empty when unknown. */
  public Optional<Integer> receiveBuffer() {
    return receiveBuffer;
  }

  /** Whether {@link #drain(Duration)} was called. */
  public boolean draining() {
    return draining;
  }

  /**
   * Stops the server: ringing calls are refused with 503, answered ones get BYE, then, after at
   * most {@code grace} for those transactions, the stack stops.
   */
  public void close(Duration grace) {
    if (closed) {
      return;
    }
    closed = true;
    calls.values().forEach(Call::shutdown);
    if (!awaitNoCalls(grace)) {
      // Calls still waiting (typically for the answer to our BYE) end now, so that each is reported.
      calls.values().forEach(Call::abandon);
      awaitNoCalls(Duration.ofSeconds(2));
    }
    tcpGuard.close();
    stop(stack);
    scheduler.shutdownNow();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
        LOG.warn("call threads still busy after shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("SIP stopped on {}:{}", config.host(), config.port());
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }

  /**
   * Stops {@code stack} and the thread of its event scanner. RI 1.3.0-91's stop only flags the scanner, whose
   * (non-daemon) thread stays blocked on its empty queue for good, one per stack stopped: the start-up warm-up's
   * stack would outlive it. A no-op event (a transaction ended, which the listener ignores; or, before any provider,
   * an I/O exception for a listener there is not) wakes it to see the flag.
   */
  static void stop(SipStack stack) {
    EventScanner scanner = stack instanceof SipStackImpl impl ? impl.getEventScanner() : null;
    java.util.Iterator<?> providers = stack.getSipProviders();
    Object provider = providers.hasNext() ? providers.next() : null;
    stack.stop();
    if (scanner == null) {
      return;
    }
    // Without a provider (the listening point could not be bound) the stack has no listener either, and the
    // scanner hands an I/O exception event to the stack's listener: nobody.
    scanner.addEvent(new EventWrapper(provider != null
        ? new TransactionTerminatedEvent(provider, (ServerTransaction) null)
        : new IOExceptionEvent(stack, "127.0.0.1", 0, "UDP"), null));
  }

  /** Sets up and starts a {@link SipServer}. */
  public static final class Builder {
    private final SipConfig config;
    private CallDecider decider = CallDecider.connectAll();
    private MediaBridge bridge;
    private CallObserver observer = CallObserver.none();
    private Clock clock = Clock.systemUTC();
    private int workerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private AdmissionSettings admission = AdmissionSettings.OFF;
    private final List<QueueDelay> alsoBehind = new ArrayList<>();

    private Builder(SipConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    public Builder decider(CallDecider decider) {
      this.decider = Objects.requireNonNull(decider, "decider");
      return this;
    }

    public Builder bridge(MediaBridge bridge) {
      this.bridge = Objects.requireNonNull(bridge, "bridge");
      return this;
    }

    public Builder observer(CallObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** When new INVITEs are turned away at once with 503; {@link AdmissionSettings#OFF} unless set. */
    public Builder admission(AdmissionSettings admission) {
      this.admission = Objects.requireNonNull(admission, "admission");
      return this;
    }

    /**
     * A stage an admitted call also waits in, outside the SIP server (the event loops its webhook request
     * and agent connection run on): the overload check refuses new INVITEs while it, too, is behind by
     * more than {@link AdmissionSettings#maxQueueDelay()}.
     */
    public Builder alsoBehind(QueueDelay stage) {
      alsoBehind.add(Objects.requireNonNull(stage, "stage"));
      return this;
    }

    public Builder workerThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("workerThreads must be >= 1, got " + n);
      }
      this.workerThreads = n;
      return this;
    }

    /**
     * Binds UDP and TCP and starts answering.
     *
     * @throws SipStartException when the stack cannot start (port in use, bad address)
     */
    public SipServer start() {
      if (bridge == null) {
        throw new IllegalStateException("a MediaBridge is required");
      }
      TrunkAcl acl = new TrunkAcl(config.trunks());
      if (config.trunks().isEmpty()) {
        LOG.warn("no trunks configured: accepting calls from loopback and private networks only");
      }
      LongSupplier nanoTime = System::nanoTime;
      TcpGuard tcpGuard = new TcpGuard(config.tcp(), acl, nanoTime);
      SipStack stack = null;
      SipProvider provider;
      List<ListeningPoint> points = new ArrayList<>();
      try {
        stack = new RiStack(stackProperties());
        // TCP over the RI's NIO transport (one selector thread for all connections, not one or two
        // threads each), guarded at accept time by trunk, caps and the first-message deadline.
        ((SIPTransactionStack) stack).setMessageProcessorFactory(new GuardedTcpProcessor.Factory(tcpGuard, nanoTime));
        // Our well-formed 400 for what the parser rejects, instead of the RI's (detail in its reason phrase).
        ((SIPTransactionStack) stack).setMessageParserFactory(new BadRequests(config.userAgent(), nanoTime));
        points.add(stack.createListeningPoint(config.host(), config.port(), ListeningPoint.UDP));
        points.add(stack.createListeningPoint(config.host(), config.port(), ListeningPoint.TCP));
        provider = stack.createSipProvider(points.get(0));
        provider.addListeningPoint(points.get(1));
      } catch (Exception e) {
        // Release the sockets already bound (UDP when TCP failed) so a retry can use the port.
        for (ListeningPoint lp : points) {
          try {
            stack.deleteListeningPoint(lp);
          } catch (Exception ignored) {
            // best effort: the stack is being discarded
          }
        }
        if (stack != null) {
          stop(stack);
        }
        throw new SipStartException("cannot listen for SIP on " + config.host() + ":" + config.port()
            + ": " + e.getMessage(), e);
      }
      QueueDelay.TimedPool workers = new QueueDelay.TimedPool(workerThreads, named("ringhook-call"), System::nanoTime);
      ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, named("ringhook-timer"));
      scheduler.setRemoveOnCancelPolicy(true);
      tcpGuard.start(scheduler);
      ConcurrentHashMap<String, Call> calls = new ConcurrentHashMap<>();
      SipDispatcher dispatcher;
      Admission admission;
      SetupsInFlight setups = new SetupsInFlight(System::nanoTime);
      Optional<Integer> receiveBuffer;
      AdmissionSettings settings = this.admission;
      try {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        LocalAddresses local = new LocalAddresses(config);
        Responder responder = new Responder(provider, factory.createMessageFactory(), factory.createHeaderFactory(),
            factory.createAddressFactory(), config, local);
        SipContext ctx = new SipContext(config, decider, bridge, observer, workers, scheduler, clock, responder, calls,
            setups);
        RiUdp udp = new RiUdp(points.get(0));
        Optional<QueueDelay> sipQueue = udp.delay(System::currentTimeMillis);
        if (sipQueue.isEmpty() && !settings.maxQueueDelay().isZero()) {
          LOG.warn("cannot read the SIP stack's UDP queue: overload is judged by the call queue only");
        }
        receiveBuffer = udp.receiveBuffer();
        QueueDelay behind = sipQueue.map(q -> QueueDelay.max(q, workers)).orElse(workers);
        for (QueueDelay stage : alsoBehind) {
          behind = QueueDelay.max(behind, stage);
        }
        admission = new Admission(settings, behind, setups,
            new SourceLimiter(settings.sourceRate(), settings.sourceBurst(), settings.sourceExempt(),
            Ticker.systemTicker()), System::nanoTime);
        dispatcher = new SipDispatcher(ctx, acl, local, admission);
        provider.addSipListener(dispatcher);
        stack.start();
      } catch (Exception e) {
        stop(stack);
        workers.shutdownNow();
        scheduler.shutdownNow();
        throw new SipStartException("cannot start the SIP stack: " + e.getMessage(), e);
      }
      LOG.info("SIP listening on {}:{} (UDP, TCP; UDP receive buffer {})", config.host(), config.port(),
          receiveBuffer.map(b -> b / 1024 + " KiB").orElse("unknown"));
      if (receiveBuffer.isPresent() && receiveBuffer.get() < RECEIVE_BUFFER) {
        // Linux grants at most net.core.rmem_max (and reports twice what it grants).
        LOG.info("the kernel granted a smaller SIP receive buffer than the {} KiB asked: raise net.core.rmem_max "
            + "so bursts are queued rather than dropped", RECEIVE_BUFFER / 1024);
      }
      return new SipServer(config, stack, workers, scheduler, calls, dispatcher, admission, setups, receiveBuffer,
          tcpGuard);
    }

    private Properties stackProperties() {
      Properties p = new Properties();
      p.setProperty("javax.sip.STACK_NAME", "ringhook-" + config.port() + "-" + STACKS.incrementAndGet());
      p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
      p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
      p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
      p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
      // Transactions matched on branch and sent-by (RFC 3261 17.2.3), which the RI does not do for INVITE.
      p.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", BranchGuard.class.getName());
      // One UDP message thread keeps a call's requests in arrival order (with several, an INVITE
      // and its CANCEL, or an ACK and a BYE, can reach the listener swapped). The listener never
      // blocks, so one thread only parses and posts.
      p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
      p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(MESSAGE_THREADS));
      // Hostile input: bound what one TCP message may make us buffer.
      p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
      // Only the UDP socket's SO_RCVBUF (UDPMessageProcessor's constructor); the RI's other use of it,
      // UDPMessageProcessor.getMaximumMessageSize(), is called by nothing in RI 1.3.0-91.
      p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(RECEIVE_BUFFER));
      p.setProperty("gov.nist.javax.sip.CACHE_SERVER_CONNECTIONS", "true");
      p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
      // A finished call's dialog and transactions stay for the protocol's timers (a BYE's transaction: RiStack);
      // with "Normal" the RI lets go of their parsed messages when they terminate and drops a dialog sooner:
      // 81 MB live instead of 169 MB just after 15,000 calls at 250 a second.
      p.setProperty("gov.nist.javax.sip.RELEASE_REFERENCES_STRATEGY", "Normal");
      // And then they linger in the RI's tables for this many seconds (its default 8): an INVITE's transaction
      // once its 2xx is sent (its ACK is the dialog's), a dialog once ended. A late retransmission of the INVITE
      // meets the call's registry (482) while the call lasts. The RI keeps the value in a static field: every
      // stack made in the JVM sets it, so the warm-up's copies use this one too.
      p.setProperty("gov.nist.javax.sip.LINGER_TIMER", Integer.toString(LINGER_SECONDS));
      p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", NioMessageProcessorFactory.class.getName());
      // Bytes received reset it: CRLF keep-alives (RFC 5626) keep a carrier's idle connection open.
      p.setProperty("gov.nist.javax.sip.NIO_MAX_SOCKET_IDLE_TIME", Long.toString(config.tcp().idleTimeout().toMillis()));
      return p;
    }

    private static ThreadFactory named(String prefix) {
      AtomicInteger n = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
  }

  /** The SIP stack could not start. */
  public static final class SipStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SipStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

}
