package io.ringhook.media.agent;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.media.AudioCodec;
import io.ringhook.media.AudioFrame;
import io.ringhook.media.DtmfEvent;
import io.ringhook.media.RtpEndpoint;
import io.ringhook.media.RtpEndpoints;
import io.ringhook.media.RtpEvents;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.MediaBridge;
import io.ringhook.sip.MediaEnd;
import io.ringhook.sip.MediaException;
import io.ringhook.sip.MediaListener;
import io.ringhook.sip.MediaParams;
import io.ringhook.sip.MediaSession;
import io.ringhook.sip.Outcome;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The media bridge of the design: each answered call gets an RTP port and a WebSocket stream to
 * its AI agent (Twilio Media Streams messages), and the call is answered only once both are
 * ready. An agent that cannot be reached within its connect timeout fails the open with 503
 * ({@code agent_unreachable}), so no caller hears dead air.
 */
public final class AgentMediaBridge implements MediaBridge {
  private static final Logger LOG = LoggerFactory.getLogger(AgentMediaBridge.class);

  /**
   * Where a call's agent is.
   *
   * @param name           the agent's configured name, for logs and call records
   * @param url            its {@code ws://} or {@code wss://} URL
   * @param connectTimeout how long the handshake and {@code start} may take
   */
  public record AgentTarget(String name, URI url, Duration connectTimeout) {
    public AgentTarget {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
    }
  }

  /**
   * A listener told how each call's agent connection went, for metrics: once per call whose RTP
   * port was bound, when the agent's stream has started or the attempt has ended otherwise.
   *
   * <p>Called on a Netty event-loop thread: it must not block. An exception it throws is logged
   * and otherwise ignored.
   */
  public interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = new Listener() {
      @Override
      public void agentConnected(InboundCall call, AgentTarget target, Duration latency) {
      }

      @Override
      public void agentFailed(InboundCall call, AgentTarget target, Duration latency, String kind) {
      }
    };

    /**
     * The agent's stream started ({@code connected} and {@code start} sent after the TCP, TLS
     * and WebSocket handshakes).
     *
     * @param latency from the start of the connection attempt until then
     */
    void agentConnected(InboundCall call, AgentTarget target, Duration latency);

    /**
     * The agent could not be reached, or the call gave up while it was connecting.
     *
     * @param latency from the start of the connection attempt until it failed or was abandoned
     * @param kind    {@link AgentConnectException#outcome()} ({@code agent_refused},
     *                {@code agent_timeout}, ...), {@code agent_io} for any other error, or
     *                {@code cancelled} when the call was cancelled (the caller hung up) meanwhile
     */
    void agentFailed(InboundCall call, AgentTarget target, Duration latency, String kind);
  }

  /** {@link Listener#agentFailed}'s kind when the call, not the agent, ended the attempt. */
  public static final String CANCELLED = "cancelled";

  private final RtpEndpoints rtp;
  private final Function<CallDecision.Connect, AgentTarget> agents;
  private final EventLoopGroup group;
  private final Listener listener;
  private final Ticker ticker;

  /**
   * @param rtp    the RTP port pool
   * @param agents the agent for each connect decision (by the agent it names)
   * @param group  the event loops for the agent WebSockets (NIO)
   */
  public AgentMediaBridge(RtpEndpoints rtp, Function<CallDecision.Connect, AgentTarget> agents, EventLoopGroup group) {
    this(rtp, agents, group, Listener.NONE);
  }

  /**
   * @param rtp      the RTP port pool
   * @param agents   the agent for each connect decision (by the agent it names)
   * @param group    the event loops for the agent WebSockets (NIO)
   * @param listener told of each call's agent connect latency and outcome
   */
  public AgentMediaBridge(RtpEndpoints rtp, Function<CallDecision.Connect, AgentTarget> agents, EventLoopGroup group,
                          Listener listener) {
    this(rtp, agents, group, listener, Ticker.systemTicker());
  }

  AgentMediaBridge(RtpEndpoints rtp, Function<CallDecision.Connect, AgentTarget> agents, EventLoopGroup group,
                   Listener listener, Ticker ticker) {
    this.rtp = Objects.requireNonNull(rtp, "rtp");
    this.agents = Objects.requireNonNull(agents, "agents");
    this.group = Objects.requireNonNull(group, "group");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  @Override
  public CompletableFuture<MediaSession> open(InboundCall call, CallDecision.Connect decision) {
    AgentTarget target = agents.apply(decision);
    Session session = new Session(call, target);
    AgentStart start = new AgentStart(call.callId(), AgentStart.newStreamSid(), call.fromNumber(),
        call.toNumber(), decision.variables(), null, ownParameters(call, decision));
    // The RTP endpoint comes first: an agent may send its greeting (or a mark) the moment its
    // stream starts, and that audio must find the endpoint to queue in until the call is answered.
    // Both on one event loop: each 20 ms frame then goes from RTP to WebSocket and back without
    // a task hand-off (and its wake-up) between threads.
    EventLoop loop = group.next();
    CompletableFuture<RtpEndpoint> endpoint = rtp.open(call.callId(), loop);
    AtomicReference<CompletableFuture<AgentConnection>> connecting = new AtomicReference<>();
    CompletableFuture<AgentConnection> agent = endpoint.thenCompose(e -> {
      session.endpoint = e;
      long connectStart = ticker.nanoTime();
      CompletableFuture<AgentConnection> c =
          AgentConnection.connect(target.url(), target.connectTimeout(), start, session, loop);
      c.whenComplete((a, ex) -> report(session, connectStart, ex));
      connecting.set(c);
      if (session.ended.get()) {
        abandon(endpoint(e), c); // the call gave up while the port was being bound
      }
      return c;
    });
    CompletableFuture<MediaSession> ready = agent.thenApply(a -> {
      session.agent = a;
      try (MDC.MDCCloseable id = MDC.putCloseable(InboundCall.LOG_KEY, call.callId())) {
        LOG.debug("call {}: agent {} connected ({}), RTP port {}", call.callId(), target.name(), target.url(),
            session.endpoint.localPort());
      }
      return (MediaSession) session;
    });
    // Whatever half succeeded must not outlive a failure or cancellation of the other.
    ready.whenComplete((s, ex) -> {
      if (ex != null) {
        session.ended.set(true);
        abandon(endpoint, connecting.get());
      }
    });
    CompletableFuture<MediaSession> result = ready.handle((s, ex) -> {
      if (ex == null) {
        return s;
      }
      Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
      if (cause instanceof MediaException me) {
        throw me;
      }
      // The kind (agent_refused, agent_timeout, ...) goes into the call record's detail, as
      // docs/agent-protocol.md promises, so an operator can tell a dead agent from a slow one.
      String kind = cause instanceof AgentConnectException ace ? ace.outcome() : "agent_io";
      String reason = "agent " + target.name() + " unreachable (" + kind + "): " + cause.getMessage();
      try (MDC.MDCCloseable id = MDC.putCloseable(InboundCall.LOG_KEY, call.callId())) {
        LOG.warn("call {}: {}", call.callId(), reason);
      }
      throw new MediaException(Outcome.AGENT_UNREACHABLE, reason, cause);
    });
    result.whenComplete((s, ex) -> {
      if (result.isCancelled()) {
        session.cancelled = true;
        session.ended.set(true);
        ready.cancel(true);
        abandon(endpoint, connecting.get());
      }
    });
    return result;
  }

  /** Tells the listener how the agent connection of {@code session}'s call ended. */
  private void report(Session session, long startNanos, Throwable failure) {
    Duration latency = Duration.ofNanos(Math.max(0, ticker.nanoTime() - startNanos));
    try {
      if (failure == null) {
        listener.agentConnected(session.call, session.target, latency);
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      // A cancelled call abandons the connection; the agent's error that follows is not its fault.
      String kind = session.cancelled || cause instanceof CancellationException ? CANCELLED
          : cause instanceof AgentConnectException ace ? ace.outcome() : "agent_io";
      listener.agentFailed(session.call, session.target, latency, kind);
    } catch (RuntimeException e) {
      LOG.warn("call {}: agent listener failed", session.call.callId(), e);
    }
  }

  private static CompletableFuture<RtpEndpoint> endpoint(RtpEndpoint e) {
    return CompletableFuture.completedFuture(e);
  }

  /** Releases the halves of a set-up that will not be answered, now or whenever they complete. */
  /**
   * What ringhook itself tells the agent about a call: the carrier's {@code sip_headers} the trunk
   * passes on and the webhook's {@code metadata} (each a JSON object as text, as nested variables
   * are), and, for a call connected although its webhook failed, {@code webhook_failed} and why.
   */
  static Map<String, String> ownParameters(InboundCall call, CallDecision.Connect decision) {
    Map<String, String> own = new LinkedHashMap<>();
    if (!call.sipHeaders().isEmpty()) {
      own.put("sip_headers", AgentCodec.json(call.sipHeaders()));
    }
    decision.webhookFailure().ifPresent(why -> {
      own.put("webhook_failed", "true");
      own.put("webhook_failure", why);
    });
    decision.metadata().ifPresent(m -> own.put("metadata", m));
    return own;
  }

  private static void abandon(CompletableFuture<RtpEndpoint> endpoint, CompletableFuture<AgentConnection> connect) {
    endpoint.cancel(true);
    endpoint.thenAccept(e -> e.close("call not answered"));
    if (connect != null) {
      connect.cancel(true);
      connect.thenAccept(AgentConnection::close);
    }
  }

  /** One call's bridge: RTP events go to the agent, agent messages go to RTP. */
  private static final class Session implements MediaSession, RtpEvents, AgentListener {
    private final InboundCall call;
    private final AgentTarget target;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The open was cancelled: the caller hung up before the call was answered. */
    private volatile boolean cancelled;
    private volatile RtpEndpoint endpoint;
    private volatile AgentConnection agent;
    private volatile MediaListener listener;
    private volatile MediaEnd agentGone;
    // Touched only on the RTP endpoint's event loop.
    private long chunk;
    private long elapsedSamples = -1;
    private long lastTimestamp;
    private long lastSsrc;
    private int lastSamples;

    Session(InboundCall call, AgentTarget target) {
      this.call = call;
      this.target = target;
    }

    @Override
    public int rtpPort() {
      return endpoint.localPort();
    }

    @Override
    public void start(MediaParams params, MediaListener mediaListener) {
      listener = mediaListener;
      endpoint.start(params, this);
      MediaEnd gone = agentGone;
      if (gone != null) {
        end(gone);
      }
    }

    @Override
    public void update(MediaParams params) {
      endpoint.update(params);
    }

    @Override
    public void close(String reason) {
      if (ended.compareAndSet(false, true)) {
        LOG.debug("call {}: media closed ({}), agent {} sent stop", call.callId(), reason, target.name());
      }
      AgentConnection a = agent;
      if (a != null) {
        a.stop();
      }
      RtpEndpoint e = endpoint;
      if (e != null) {
        e.close(reason);
      }
    }

    /** The media side ends the call: the SIP layer sends BYE, then closes this session. */
    private void end(MediaEnd why) {
      MediaListener l = listener;
      if (l != null && !ended.get()) {
        l.mediaEnded(why);
      }
    }

    // ---- caller → agent (RTP event loop) ----

    @Override
    public void onAudio(AudioFrame frame) {
      AgentConnection a = agent;
      if (a == null) {
        return;
      }
      advanceClock(frame);
      chunk += 1 + frame.lostBefore();
      a.sendMedia(frame.payloadAs(AudioCodec.PCMU), chunk, elapsedSamples / 8);
    }

    /**
     * Moves the stream's clock ({@code media.timestamp}) to {@code frame}: by the advance of its
     * RTP timestamp within one source, so silence the caller did not send shows as a jump; on a
     * new SSRC, or a timestamp that went backwards, straight on from the previous frame. A new
     * source picks a random timestamp base (RFC 3550 section 5.1), so the difference of two
     * bases would make the clock leap by up to 74 hours.
     */
    private void advanceClock(AudioFrame frame) {
      if (elapsedSamples < 0) {
        elapsedSamples = 0;
      } else {
        long delta = (frame.timestamp() - lastTimestamp) & 0xFFFFFFFFL;
        boolean sameSource = frame.ssrc() == lastSsrc && delta < 0x8000_0000L;
        elapsedSamples += sameSource ? delta : lastSamples;
      }
      lastTimestamp = frame.timestamp();
      lastSsrc = frame.ssrc();
      lastSamples = frame.payload().length;
    }

    @Override
    public void onDtmf(DtmfEvent event) {
      AgentConnection a = agent;
      if (a != null) {
        a.sendDtmf(event.digit());
      }
    }

    @Override
    public void onMark(String name, boolean cleared) {
      AgentConnection a = agent;
      if (a != null) {
        a.sendMark(name);
      }
    }

    @Override
    public void onTimeout(Duration silentFor) {
      // The detail stays the plain "rtp timeout" every bridge records (call records, BYE Reason),
      // so it can be counted; the silence's length goes to the log.
      try (MDC.MDCCloseable id = MDC.putCloseable(InboundCall.LOG_KEY, call.callId())) {
        LOG.info("call {}: no RTP from the caller for {} ms", call.callId(), silentFor.toMillis());
      }
      end(MediaEnd.rtpTimeout());
    }

    // ---- agent → caller (WebSocket event loop) ----

    @Override
    public void onMedia(byte[] mulaw) {
      RtpEndpoint e = endpoint;
      if (e != null) {
        e.send(Unpooled.wrappedBuffer(mulaw), AudioCodec.PCMU);
      }
    }

    @Override
    public void onMark(String name) {
      RtpEndpoint e = endpoint;
      if (e != null) {
        e.mark(name);
      }
    }

    @Override
    public void onClear() {
      RtpEndpoint e = endpoint;
      if (e != null) {
        e.clear();
      }
    }

    @Override
    public void onClosed(String reason) {
      MediaEnd why = MediaEnd.agentHungUp(reason);
      agentGone = why;
      end(why);
    }
  }
}
