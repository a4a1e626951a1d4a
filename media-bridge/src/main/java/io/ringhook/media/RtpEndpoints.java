package io.ringhook.media;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.sip.MediaException;
import io.ringhook.sip.Outcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of RTP endpoints: binds one UDP port per call from the configured range on a shared
 * Netty event loop group.
 *
 * <p>One instance serves every kind of media consumer (the echo, agent bridges), so they share the
 * port range. A port the operating system refuses (another process holds it) is skipped for the
 * next one; when the range is exhausted, {@link #open} fails with a {@link MediaException} 503
 * {@code no_rtp_port}. The group is not owned: whoever created it shuts it down.
 */
public final class RtpEndpoints {
  private static final Logger log = LoggerFactory.getLogger(RtpEndpoints.class);
  /** How many refused ports one open may skip before it gives up: a crowded host, not a full range. */
  static final int MAX_BIND_ATTEMPTS = 64;

  private final RtpSettings settings;
  private final InetAddress bindAddress;
  private final EventLoopGroup group;
  private final Ticker ticker;
  private final PortAllocator ports;
  private final RtpTotals totals = new RtpTotals();
  private final PacingTicks ticks;

  private RtpEndpoints(RtpSettings settings, InetAddress bindAddress, EventLoopGroup group, Ticker ticker) {
    this.settings = settings;
    this.bindAddress = bindAddress;
    this.group = group;
    this.ticker = ticker;
    this.ports = new PortAllocator(settings.portMin(), settings.portMax());
    this.ticks = new PacingTicks(ticker);
  }

  /**
   * Creates the pool.
   *
   * @param settings the bind address, port range and inactivity timeout
   * @param group    the event loop group all RTP channels run on (NIO transport)
   * @param ticker   the time source for pacing and timeouts, {@link Ticker#systemTicker()} in production
   * @throws IllegalArgumentException when the bind host is not a valid address
   */
  public static RtpEndpoints create(RtpSettings settings, EventLoopGroup group, Ticker ticker) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(ticker, "ticker");
    try {
      return new RtpEndpoints(settings, InetAddress.getByName(settings.bindHost()), group, ticker);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("RTP bind host is not a valid address: " + settings.bindHost(), e);
    }
  }

  /** The settings this pool was created with. */
  public RtpSettings settings() {
    return settings;
  }

  /** How many ports are bound (or being bound) now. */
  public int portsInUse() {
    return ports.inUse();
  }

  /**
   * The RTP counters of every endpoint of this pool since it was created (packets in, out, lost,
   * late, ...), refreshed every 100 ms; for metrics.
   */
  public RtpTotals totals() {
    return totals;
  }

  /** How many pacing timers run now: one per event loop that has a started stream. */
  int pacingTimers() {
    return ticks.timers();
  }

  /** How many ports the range holds. */
  public int capacity() {
    return ports.capacity();
  }

  /**
   * Binds a port for a call. Does not block: the future completes on an event loop once a port is
   * bound, or fails with {@link MediaException} (503, {@code no_rtp_port}). If the future is
   * cancelled before then, the endpoint is closed as soon as it exists.
   */
  public CompletableFuture<RtpEndpoint> open(String callId) {
    return open(callId, group.next());
  }

  /**
   * Binds a port for a call as {@link #open(String)} does, on the given event loop: the call's
   * other channels (its agent WebSocket) run there too, so its frames never change threads.
   */
  public CompletableFuture<RtpEndpoint> open(String callId, EventLoop loop) {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(loop, "loop");
    CompletableFuture<RtpEndpoint> result = new CompletableFuture<>();
    tryBind(callId, loop, result, Math.min(ports.capacity(), MAX_BIND_ATTEMPTS), null);
    return result;
  }

  private void tryBind(String callId, EventLoop loop, CompletableFuture<RtpEndpoint> result,
                       int attemptsLeft, Throwable lastFailure) {
    if (result.isDone()) {
      return;
    }
    int port = attemptsLeft > 0 ? ports.acquire() : -1;
    if (port < 0) {
      String message = attemptsLeft > 0
          ? "all " + ports.capacity() + " RTP ports of " + settings.portMin() + ".." + settings.portMax() + " are in use"
          : "no bindable RTP port in " + settings.portMin() + ".." + settings.portMax() + " after "
              + Math.min(ports.capacity(), MAX_BIND_ATTEMPTS) + " attempts";
      log.warn("call {}: {}", callId, message);
      result.completeExceptionally(new MediaException(Outcome.NO_RTP_PORT, message, lastFailure));
      return;
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        ports.release(port);
      }
    };
    RtpStream stream = new RtpStream(callId, port, ticker, settings.timeout(), ByteBufAllocator.DEFAULT,
        ThreadLocalRandom.current(), release, totals, ticks);
    ChannelFuture bind;
    try {
      bind = new Bootstrap()
          .group(loop)
          .channel(NettyTransport.datagramChannel(loop))
          .handler(stream)
          .bind(new InetSocketAddress(bindAddress, port));
    } catch (RuntimeException e) { // the group is shutting down
      release.run();
      result.completeExceptionally(new MediaException(Outcome.NO_RTP_PORT, "cannot bind RTP: " + e, e));
      return;
    }
    bind.addListener((ChannelFuture f) -> {
      if (f.isSuccess()) {
        if (!result.complete(stream)) {
          stream.close("open cancelled");
        } else {
          log.debug("call {}: RTP bound on {}:{}", callId, bindAddress.getHostAddress(), port);
        }
      } else {
        release.run();
        log.debug("call {}: RTP port {} not bindable ({}), trying the next", callId, port,
            f.cause().toString());
        tryBind(callId, loop, result, attemptsLeft - 1, f.cause());
      }
    });
  }
}
