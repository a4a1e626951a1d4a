package io.ringhook.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Ticker;
import io.ringhook.sip.MediaParams;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler behind one {@link RtpEndpoint}: the last (and only) handler of the call's UDP
 * channel.
 *
 * <p>Inbound, each datagram is decoded, checked (payload type negotiated, source the latched one),
 * and passed through the {@link ReorderBuffer}; what comes out in order goes to the consumer as
 * {@link AudioFrame}s or, for telephone-events, through the {@link DtmfReceiver}. Every 20 ms the
 * event loop's shared timer ({@link PacingTicks}) ticks the stream: it drives the {@link Pacer},
 * lets the reorder and DTMF stages give up on what never came, and checks the inactivity timeout.
 * All times come from the ticker passed in, so a test drives everything on an
 * {@code EmbeddedChannel} with a mock ticker. All state is confined to the event loop; the public
 * methods hop onto it.
 */
final class RtpStream extends ChannelInboundHandlerAdapter implements RtpEndpoint {
  private static final Logger log = LoggerFactory.getLogger(RtpStream.class);
  /** Packets waiting behind a gap before it is declared lost. */
  static final int REORDER_DEPTH = 3;
  static final long REORDER_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(60);
  /** A press with no packet for this long is reported even though its end never came. */
  static final long DTMF_STALE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /**
   * Another source may take over the stream only after the latched one has been quiet this long:
   * stray or spoofed packets cannot steal a live call, a caller whose NAT mapping changed can.
   */
  static final long RELATCH_QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int COMFORT_NOISE_PT = 13;
  /**
   * The caller's packets held from before {@link #start}, the newest kept: 500 ms of 20 ms audio. The
   * call starts the stream just after it has sent its 200 OK, or, when the caller's answer is in the ACK,
   * once it has handled that ACK; a caller may talk before either (its answer chosen, or the 200 in hand
   * while the call's thread is busy). What came before is delivered at the start, not dropped.
   */
  static final int EARLY_PACKETS = 25;
  /** The stats other threads read and the pool's totals are refreshed every 5 ticks (100 ms). */
  static final int PUBLISH_EVERY_TICKS = 5;

  private final String callId;
  private final int port;
  private final Ticker ticker;
  private final long timeoutNanos;
  private final Runnable releasePort;
  private final Pacer pacer;
  private final ReorderBuffer reorder = new ReorderBuffer(REORDER_DEPTH, REORDER_WAIT_NANOS);
  private final DtmfReceiver dtmf = new DtmfReceiver(DTMF_STALE_NANOS);
  private final AtomicBoolean startCalled = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private volatile RtpStats lastStats = RtpStats.ZERO;
  private final RtpTotals totals;
  private final PacingTicks ticks;

  // Event-loop confined from here on.
  private Channel channel;
  private EventLoop loop;
  private boolean ticking;
  private RtpEvents events;
  private boolean started;
  private boolean cleanedUp;
  private final ArrayDeque<DatagramPacket> early = new ArrayDeque<>(4);
  private int telephoneEventPt = -1;
  private MediaParams.Direction direction = MediaParams.Direction.SENDRECV;
  private InetSocketAddress sdpRemote;
  private InetSocketAddress remote;
  private InetSocketAddress latched;
  private long lastFromLatchedNanos;
  private long lastReceivedNanos;
  private boolean timedOut;
  private long packetsReceived;
  private long malformed;
  private long foreignSource;
  private long unexpectedType;
  private long dtmfDigits;
  private long consumerFailures;
  /** What {@link #totals} has been given so far. */
  private RtpStats reported = RtpStats.ZERO;
  private int ticksSincePublish;
  /** The time the reorder stage's sink passes on; set before each offer or poll. */
  private long deliverNanos;
  // The sinks, made once: no lambda allocated per packet or tick.
  private final ReorderBuffer.Sink deliver = (p, lost) -> deliver(p, lost, deliverNanos);
  private final Consumer<DtmfEvent> digits = this::digit;

  /**
   * @param callId      for logs
   * @param port        the local port the channel is bound to
   * @param ticker      the time source for pacing and timeouts
   * @param timeout     the inactivity timeout
   * @param alloc       allocates outgoing packets
   * @param random      picks the initial sequence number, timestamp and SSRC (RFC 3550 section 5.1)
   * @param releasePort run once when the channel has closed; must be idempotent
   */
  RtpStream(String callId, int port, Ticker ticker, Duration timeout, ByteBufAllocator alloc,
            RandomGenerator random, Runnable releasePort) {
    this(callId, port, ticker, timeout, alloc, random, releasePort, new RtpTotals(),
        new PacingTicks(ticker));
  }

  /** As above, adding this stream's counts to the pool's {@code totals}, paced by its {@code ticks}. */
  RtpStream(String callId, int port, Ticker ticker, Duration timeout, ByteBufAllocator alloc,
            RandomGenerator random, Runnable releasePort, RtpTotals totals, PacingTicks ticks) {
    this.totals = Objects.requireNonNull(totals, "totals");
    this.ticks = Objects.requireNonNull(ticks, "ticks");
    this.callId = Objects.requireNonNull(callId, "callId");
    this.port = port;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.timeoutNanos = timeout.toNanos();
    this.releasePort = Objects.requireNonNull(releasePort, "releasePort");
    this.pacer = new Pacer(alloc, random.nextInt(0x10000), random.nextLong(0x100000000L),
        random.nextLong(0x100000000L), new PacerOutput());
  }

  // ---- RtpEndpoint (any thread) ----

  @Override
  public String callId() {
    return callId;
  }

  @Override
  public int localPort() {
    return port;
  }

  @Override
  public void start(MediaParams params, RtpEvents events) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(events, "events");
    if (!startCalled.compareAndSet(false, true)) {
      throw new IllegalStateException("RTP endpoint of call " + callId + " already started");
    }
    onLoop(() -> doStart(params, events));
  }

  @Override
  public void update(MediaParams params) {
    Objects.requireNonNull(params, "params");
    onLoop(() -> {
      if (!closing.get()) {
        apply(params, ticker.nanoTime());
      }
    });
  }

  @Override
  public void send(ByteBuf audio, AudioCodec encoding) {
    Objects.requireNonNull(audio, "audio");
    Objects.requireNonNull(encoding, "encoding");
    Runnable task = () -> {
      if (closing.get()) {
        audio.release();
      } else if (!pacer.enqueue(audio, encoding)) {
        log.debug("call {}: outbound queue full, audio dropped", callId);
      }
    };
    if (!onLoop(task)) {
      audio.release();
    }
  }

  @Override
  public void mark(String name) {
    Objects.requireNonNull(name, "name");
    onLoop(() -> {
      if (!closing.get() && !pacer.mark(name)) {
        log.debug("call {}: outbound queue full, mark {} dropped", callId, name);
      }
    });
  }

  @Override
  public void clear() {
    onLoop(() -> {
      if (!closing.get()) {
        pacer.clear();
      }
    });
  }

  @Override
  public RtpStats stats() {
    return loop != null && loop.inEventLoop() ? snapshot() : lastStats;
  }

  @Override
  public void close(String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    log.debug("call {}: closing RTP port {}: {}", callId, port, reason);
    if (!onLoop(() -> channel.close())) {
      // The event loop is gone (shutdown): the channel is closed with it; free what we hold.
      pacer.release();
      portFree();
    }
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  // ---- Netty ----

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    loop = ctx.channel().eventLoop();
    channel.closeFuture().addListener(f -> {
      cleanUp();
      // NIO closes the socket of a channel registered with a selector only at that selector's
      // next select, after this listener: a port handed back now could still be bound. A task
      // scheduled on the loop runs after that select.
      try {
        loop.schedule(this::portFree, 1, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        portFree();
      }
    });
  }

  private void portFree() {
    releasePort.run();
    closeFuture.complete(null);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cleanUp();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof DatagramPacket datagram)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (!started && !closing.get()) {
      if (startCalled.get()) {
        // start() was called but its task has not run yet: the loop read this datagram first. Handle
        // it after the start (tasks run in order) instead of dropping the caller's first audio.
        loop.execute(() -> channelRead(ctx, datagram));
      } else {
        hold(datagram);
      }
      return;
    }
    try {
      receive(datagram.content(), datagram.sender(), ticker.nanoTime());
    } catch (RuntimeException e) {
      log.warn("call {}: failed to handle an RTP packet from {}", callId, datagram.sender(), e);
    } finally {
      datagram.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // UDP errors (an unreachable destination, a full buffer) concern one packet, not the call.
    log.debug("call {}: RTP channel error: {}", callId, cause.toString());
  }

  // ---- event loop ----

  private void doStart(MediaParams params, RtpEvents events) {
    if (closing.get()) {
      return;
    }
    long now = ticker.nanoTime();
    this.events = events;
    apply(params, now);
    lastReceivedNanos = now;
    long slotBoundary = ticks.add(loop, this);
    ticking = true;
    pacer.start(slotBoundary, AudioCodec.ofPayloadType(params.payloadType()));
    started = true;
    log.debug("call {}: RTP started on port {} -> {} ({}, telephone-event {}, {}); {} packets held from before",
        callId, port, params.remote(), AudioCodec.ofPayloadType(params.payloadType()),
        params.telephoneEventPt(), params.direction(), early.size());
    for (DatagramPacket held; (held = early.pollFirst()) != null; ) {
      try {
        receive(held.content(), held.sender(), now);
      } finally {
        held.release();
      }
    }
  }

  /** Keeps a packet that came before the start, dropping the oldest held beyond {@link #EARLY_PACKETS}. */
  private void hold(DatagramPacket datagram) {
    early.addLast(datagram);
    if (early.size() > EARLY_PACKETS) {
      early.pollFirst().release();
    }
  }

  private void apply(MediaParams params, long now) {
    pacer.codec(AudioCodec.ofPayloadType(params.payloadType()));
    telephoneEventPt = params.telephoneEventPt();
    if (!direction.receives() && params.direction().receives()) {
      lastReceivedNanos = now;
    }
    direction = params.direction();
    if (!params.remote().equals(sdpRemote)) {
      sdpRemote = params.remote();
      remote = sdpRemote;
      latched = null;
    }
  }

  private void receive(ByteBuf content, InetSocketAddress sender, long now) {
    if (!started || closing.get()) {
      return;
    }
    RtpCodec.Decoded decoded = RtpCodec.decode(content);
    if (decoded instanceof RtpCodec.Malformed bad) {
      if (malformed++ < 5) {
        log.debug("call {}: malformed RTP from {}: {}", callId, sender, bad.reason());
      }
      return;
    }
    if (!(decoded instanceof RtpPacket packet)) {
      return; // RTCP multiplexed on the RTP port: not used
    }
    int pt = packet.payloadType();
    if (!AudioCodec.isG711(pt) && pt != telephoneEventPt && pt != COMFORT_NOISE_PT) {
      unexpectedType++;
      return;
    }
    if (!acceptSource(sender, now)) {
      foreignSource++;
      return;
    }
    packetsReceived++;
    lastReceivedNanos = now;
    deliverNanos = now;
    reorder.offer(packet, now, deliver);
  }

  private boolean acceptSource(InetSocketAddress sender, long now) {
    if (sender.equals(latched)) {
      lastFromLatchedNanos = now;
      return true;
    }
    if (latched != null && now - lastFromLatchedNanos < RELATCH_QUIET_NANOS) {
      return false;
    }
    if (!sender.equals(remote)) {
      log.info("call {}: symmetric RTP: sending to {} (was {})", callId, sender, remote);
    }
    latched = sender;
    remote = sender;
    lastFromLatchedNanos = now;
    return true;
  }

  private void deliver(RtpPacket packet, int lostBefore, long now) {
    int pt = packet.payloadType();
    if (pt == telephoneEventPt) {
      dtmf.onPacket(packet, now, digits);
    } else if (AudioCodec.isG711(pt)) {
      AudioFrame frame = new AudioFrame(AudioCodec.ofPayloadType(pt), packet.sequence(),
          packet.timestamp(), packet.ssrc(), packet.marker(), lostBefore, packet.payload());
      try {
        events.onAudio(frame);
      } catch (RuntimeException e) {
        consumerFailed("audio", e);
      }
    }
  }

  private void digit(DtmfEvent event) {
    dtmfDigits++;
    try {
      events.onDtmf(event);
    } catch (RuntimeException e) {
      consumerFailed("DTMF", e);
    }
  }

  /** One 20 ms step; run by the loop's {@link PacingTicks} timer. */
  void tick() {
    if (closing.get()) {
      return;
    }
    long now = ticker.nanoTime();
    try {
      deliverNanos = now;
      reorder.poll(now, deliver);
      dtmf.poll(now, digits);
      pacer.tick(now, direction.sends() && canSendTo(remote));
      checkTimeout(now);
    } catch (RuntimeException e) {
      log.warn("call {}: RTP tick failed", callId, e);
    }
    if (++ticksSincePublish == PUBLISH_EVERY_TICKS) {
      publish();
    }
  }

  /** Refreshes the stats other threads read and passes the counts since last time to the totals. */
  private void publish() {
    ticksSincePublish = 0;
    RtpStats now = snapshot();
    lastStats = now;
    totals.add(reported, now);
    reported = now;
  }

  private void checkTimeout(long now) {
    if (!direction.receives()) {
      lastReceivedNanos = now; // on hold the caller may rightly send nothing
      return;
    }
    long silent = now - lastReceivedNanos;
    if (!timedOut && silent >= timeoutNanos) {
      timedOut = true;
      log.info("call {}: no RTP for {} ms on port {}", callId, silent / 1_000_000, port);
      try {
        events.onTimeout(Duration.ofNanos(silent));
      } catch (RuntimeException e) {
        consumerFailed("timeout", e);
      }
    }
  }

  /** Logs a consumer's exception: the first with its stack, later ones briefly (50 a second could follow). */
  private void consumerFailed(String what, RuntimeException e) {
    if (consumerFailures++ == 0) {
      log.warn("call {}: {} consumer failed", callId, what, e);
    } else {
      log.debug("call {}: {} consumer failed again ({} times): {}", callId, what, consumerFailures, e.toString());
    }
  }

  private static boolean canSendTo(InetSocketAddress target) {
    // c=0.0.0.0 (RFC 2543 hold) or port 0 means "do not send".
    return target != null && target.getPort() != 0 && target.getAddress() != null
        && !target.getAddress().isAnyLocalAddress();
  }

  private void cleanUp() {
    if (cleanedUp) {
      return;
    }
    cleanedUp = true;
    closing.set(true);
    if (ticking) {
      ticking = false;
      ticks.remove(loop, this);
    }
    pacer.release();
    reorder.clear();
    for (DatagramPacket held; (held = early.pollFirst()) != null; ) {
      held.release();
    }
    publish();
    if (started) {
      log.info("call {}: RTP port {} closed, {}", callId, port, lastStats);
    }
  }

  private RtpStats snapshot() {
    return new RtpStats(packetsReceived, pacer.packetsSent(), malformed, foreignSource,
        unexpectedType, reorder.duplicates(), reorder.late(), reorder.lost(), dtmfDigits,
        pacer.bytesDropped(), pacer.bytesStale());
  }

  /** Runs {@code task} on the event loop; false when the loop is shut down and it will never run. */
  private boolean onLoop(Runnable task) {
    EventLoop l = loop;
    if (l == null) {
      throw new IllegalStateException("RTP endpoint of call " + callId + " is not attached to a channel");
    }
    if (l.inEventLoop()) {
      task.run();
      return true;
    }
    try {
      l.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private final class PacerOutput implements Pacer.Output {
    @Override
    public void packet(ByteBuf rtp) {
      channel.writeAndFlush(new DatagramPacket(rtp, remote), channel.voidPromise());
    }

    @Override
    public void mark(String name, boolean cleared) {
      if (events == null) {
        return; // cleared before start: nobody to tell yet
      }
      try {
        events.onMark(name, cleared);
      } catch (RuntimeException e) {
        consumerFailed("mark", e);
      }
    }
  }
}
