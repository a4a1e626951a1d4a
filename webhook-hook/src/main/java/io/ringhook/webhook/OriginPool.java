package io.ringhook.webhook;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one origin: HTTP/1.1 keep-alive connections carrying one request at a time,
 * or HTTP/2 connections carrying many attempts at once as streams; all on one event loop, the
 * loop of the calls to that origin, so none of this needs a lock.
 *
 * <p>An attempt asks with a {@link Ticket}. It is served at once when a connection (or a stream on
 * one) is free or the pool may open another; only when the origin already has its maximum of
 * connections, all busy, does it wait, and that wait is ringhook's own: the ticket is told when it
 * ends ({@link Listener#started}), and the attempt's deadline only starts then. Waiting tickets are
 * served round robin across request targets (the URL's path and query), so the queue of one slow
 * endpoint does not hold back another endpoint on the same host.
 *
 * <p>An https origin's protocol is learnt from the first connection's ALPN; until then further
 * attempts join that connection instead of opening their own, so an HTTP/2 origin gets one
 * connection, not one per attempt that came during the handshake.
 */
final class OriginPool {

  private static final Logger log = LoggerFactory.getLogger(OriginPool.class);

  /** Connect and handshake backstop when the attempt's own deadline is longer. */
  static final int MAX_CONNECT_MILLIS = 30_000;
  /** The most streams one HTTP/2 connection carries, whatever the server allows. */
  static final int MAX_STREAMS_PER_CONNECTION = 500;
  /** Attempts that may join an HTTP/2 connection before its SETTINGS say how many it takes. */
  static final int INITIAL_STREAMS = 100;
  private static final long FULL_WARNING_EVERY_NANOS = 60_000_000_000L;

  enum Protocol {
    UNKNOWN, HTTP_1_1, HTTP_2;

    String label() {
      return this == HTTP_2 ? "h2" : this == HTTP_1_1 ? "http/1.1" : "unknown";
    }
  }

  /** What a waiting attempt is told, on the pool's loop. */
  interface Listener {
    /** The wait for a free slot is over (or there was none); the webhook's time starts now. */
    void started(Ticket ticket, Duration queued);

    /** A channel for one request and its response: a connection, or a stream on one. */
    void granted(Ticket ticket, Lease lease);

    /** No connection could be made; {@code fallback} when the cause names no known trouble. */
    void failed(Ticket ticket, Throwable cause, FailureReason fallback);
  }

  /** One attempt's request for a channel; {@link #cancel()} it when the attempt ends first. */
  final class Ticket {
    final String target;
    final Listener listener;
    final int connectMillis;
    final long createdNanos;
    boolean started;
    boolean queued;
    boolean cancelled;

    private Ticket(String target, Listener listener, int connectMillis) {
      this.target = target;
      this.listener = listener;
      this.connectMillis = connectMillis;
      this.createdNanos = ticker.getAsLong();
    }

    /** The pool that issued this ticket, where its lease goes back. */
    OriginPool pool() {
      return OriginPool.this;
    }

    void cancel() {
      onLoop(() -> {
        if (!cancelled) {
          cancelled = true;
          forget(this);
        }
      });
    }
  }

  /** A channel granted to one attempt; give it back with {@link #release}. */
  record Lease(Conn conn, Channel channel, boolean reused) {}

  /** One connection and what it carries. */
  static final class Conn {
    Channel channel;
    Protocol protocol = Protocol.UNKNOWN;
    boolean connected;
    boolean ready;
    boolean used;
    boolean goingAway;
    int streams;
    int maxStreams = INITIAL_STREAMS;
    /** The tickets waiting for this connection to be ready (its opener first). */
    List<Ticket> joined = new ArrayList<>(1);

    boolean takesStream() {
      return ready && !goingAway && channel.isActive() && streams < maxStreams;
    }
  }

  private final Origin origin;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final PoolChannels channels;
  private final int maxConnections;
  private final LongSupplier ticker;
  private final Runnable onEmpty;

  private volatile Protocol protocol; // written on the loop only, read by metrics too
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  private final List<Conn> multiplexed = new ArrayList<>();
  private Conn pending;
  private final WaitingLine<Ticket> waiting = new WaitingLine<>();
  private boolean retired;
  private long lastFullWarning;

  // Written on the loop only, read by metrics from any thread.
  private volatile int open;
  private volatile int idleCount;
  private volatile int streamCount;
  private volatile int waiters;
  private volatile long opened;

  OriginPool(
      Origin origin,
      EventLoop loop,
      Bootstrap template,
      SslContext tls,
      Duration idleTimeout,
      int maxConnections,
      LongSupplier ticker,
      Runnable onEmpty) {
    this.origin = origin;
    this.loop = loop;
    this.maxConnections = maxConnections;
    this.ticker = ticker;
    this.onEmpty = onEmpty;
    this.protocol = origin.secure() ? Protocol.UNKNOWN
        : origin.h2c() ? Protocol.HTTP_2 : Protocol.HTTP_1_1;
    this.bootstrap = template.clone(loop)
        .remoteAddress(InetSocketAddress.createUnresolved(origin.host(), origin.port()));
    this.channels = new PoolChannels(this, origin, origin.secure() ? tls : null, idleTimeout);
  }

  Origin origin() {
    return origin;
  }

  EventLoop loop() {
    return loop;
  }

  /** A new ticket for an attempt to {@code target}; pass it to {@link #acquire}. */
  Ticket ticket(String target, Listener listener, Duration timeout) {
    int connect = (int) Math.min(MAX_CONNECT_MILLIS, Math.max(1, timeout.toMillis()));
    return new Ticket(target, listener, connect);
  }

  /** Serves the ticket now, or queues it until a connection is free. */
  void acquire(Ticket t) {
    onLoop(() -> {
      if (t.cancelled) {
        return;
      }
      if (!tryServe(t)) {
        t.queued = true;
        waiting.add(t.target, t);
        waiters = waiting.size();
        warnFull();
      }
    });
  }

  /**
   * Gives a lease back: an HTTP/1.1 connection is kept (or handed to the next waiting attempt)
   * when {@code reusable}, else closed; a stream is always closed.
   */
  void release(Lease lease, boolean reusable) {
    onLoop(() -> {
      Conn c = lease.conn();
      if (c.protocol == Protocol.HTTP_2) {
        lease.channel().close();
      } else if (reusable && c.channel.isActive()) {
        handOff(c);
      } else {
        c.channel.close();
      }
    });
  }

  /** Stops keeping connections: idle ones close now, busy ones when they come back. */
  void retire() {
    onLoop(() -> {
      retired = true;
      for (Conn c : List.copyOf(idle)) {
        c.channel.close();
      }
      for (Conn c : List.copyOf(multiplexed)) {
        if (c.streams == 0) {
          c.channel.close();
        }
      }
      checkEmpty();
    });
  }

  /** Closes every connection now (the client is closing). */
  void closeAll() {
    onLoop(() -> {
      retired = true;
      for (Conn c : List.copyOf(idle)) {
        c.channel.close();
      }
      for (Conn c : List.copyOf(multiplexed)) {
        c.channel.close();
      }
      if (pending != null) {
        pending.channel.close();
      }
    });
  }

  // ---- figures for metrics, read from any thread ----

  Protocol protocol() {
    return protocol;
  }

  int openConnections() {
    return open;
  }

  int idleConnections() {
    return idleCount;
  }

  int activeStreams() {
    return streamCount;
  }

  int waiters() {
    return waiters;
  }

  long connectionsOpened() {
    return opened;
  }

  // ---- serving tickets ----

  private boolean tryServe(Ticket t) {
    switch (protocol) {
      case HTTP_1_1 -> {
        Conn c;
        while ((c = idle.pollLast()) != null) {
          idleCount = idle.size();
          if (c.channel.isActive()) {
            start(t);
            grant(t, c, c.channel);
            return true;
          }
        }
        if (open < maxConnections) {
          start(t);
          connect(t);
          return true;
        }
        return false;
      }
      default -> {
        // HTTP/2, or an https origin whose protocol the first connection's ALPN will tell.
        if (protocol == Protocol.HTTP_2) {
          for (Conn c : multiplexed) {
            if (c.takesStream()) {
              start(t);
              openStream(t, c);
              return true;
            }
          }
        }
        if (pending != null
            && (protocol == Protocol.UNKNOWN || pending.joined.size() < pending.maxStreams)) {
          start(t);
          pending.joined.add(t);
          return true;
        }
        if (open < maxConnections) {
          start(t);
          pending = connect(t);
          return true;
        }
        return false;
      }
    }
  }

  private void start(Ticket t) {
    if (!t.started) {
      t.started = true;
      t.listener.started(t, t.queued
          ? Duration.ofNanos(ticker.getAsLong() - t.createdNanos) : Duration.ZERO);
    }
  }

  private void grant(Ticket t, Conn c, Channel ch) {
    boolean reused = c.used;
    c.used = true;
    Lease lease = new Lease(c, ch, reused);
    if (t.cancelled) {
      // The attempt ended meanwhile: the channel is untouched, so it serves the next one.
      release(lease, true);
      return;
    }
    t.listener.granted(t, lease);
  }

  /** An HTTP/1.1 connection is free: the next waiting attempt gets it, else it waits idle. */
  private void handOff(Conn c) {
    Ticket next = nextWaiting();
    if (next != null) {
      start(next);
      grant(next, c, c.channel);
    } else if (retired) {
      c.channel.close();
    } else {
      idle.addLast(c);
      idleCount = idle.size();
    }
    checkEmpty();
  }

  /** Serves waiting tickets while there is room: after a close, a stream end, new SETTINGS. */
  void serveWaiting() {
    // Out of the queue before it is served: serving may call back into the pool (a lease given
    // straight back) and must not find the ticket still waiting.
    while (waiters > 0 && hasRoom()) {
      Ticket t = nextWaiting();
      if (!tryServe(t)) {
        requeue(t); // an idle connection turned out closed
        return;
      }
    }
    checkEmpty();
  }

  /** Whether {@link #tryServe} would serve a ticket now, without serving one. */
  private boolean hasRoom() {
    if (open < maxConnections) {
      return true;
    }
    if (protocol == Protocol.HTTP_1_1) {
      return !idle.isEmpty();
    }
    if (pending != null
        && (protocol == Protocol.UNKNOWN || pending.joined.size() < pending.maxStreams)) {
      return true;
    }
    return multiplexed.stream().anyMatch(Conn::takesStream);
  }

  /** The next waiting ticket, round robin across targets; null when none waits. */
  /** The next waiting ticket in turn, out of the line; null when none waits. */
  private Ticket nextWaiting() {
    Ticket t = waiting.next();
    waiters = waiting.size();
    return t;
  }

  /** A ticket that joined a connection which cannot take it after all waits at the front. */
  private void requeue(Ticket t) {
    waiting.addFirst(t.target, t);
    waiters = waiting.size();
  }

  private void forget(Ticket t) {
    if (waiting.remove(t.target, t)) {
      waiters = waiting.size();
    }
    if (pending != null) {
      pending.joined.remove(t);
    }
    checkEmpty();
  }

  private void warnFull() {
    long now = ticker.getAsLong();
    if (lastFullWarning == 0 || now - lastFullWarning >= FULL_WARNING_EVERY_NANOS) {
      lastFullWarning = now;
      log.warn("webhook origin {} has all its {} connections busy ({}): {} attempts wait for one;"
              + " the wait is ringhook's (queued_ms in the attempt log), not charged to the webhook's"
              + " timeout; raise webhook.max_connections_per_origin", origin, maxConnections,
          protocol.label(), waiters);
    }
  }

  // ---- connections ----

  private Conn connect(Ticket opener) {
    Conn c = new Conn();
    ChannelFuture f = bootstrap.clone()
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, opener.connectMillis)
        .handler(channels.initializer(c, opener.connectMillis))
        .connect();
    c.channel = f.channel();
    c.joined.add(opener);
    open++;
    opened++;
    c.channel.closeFuture().addListener(x -> closed(c));
    f.addListener(r -> {
      if (!r.isSuccess()) {
        failConn(c, r.cause(), FailureReason.IO);
        return;
      }
      c.connected = true;
      if (origin.h2c()) {
        c.protocol = Protocol.HTTP_2; // ready at the server's SETTINGS
      } else if (!origin.secure()) {
        ready(c, Protocol.HTTP_1_1);
      }
      // https: ALPN decides once TLS is done (PoolChannels).
    });
    return c;
  }

  /** The connection speaks {@code p} now: serve the tickets that waited for it. */
  void ready(Conn c, Protocol p) {
    c.ready = true;
    c.protocol = p;
    protocol = p;
    if (pending == c) {
      pending = null;
    }
    List<Ticket> joined = c.joined;
    c.joined = List.of();
    if (p == Protocol.HTTP_2) {
      multiplexed.add(c);
      for (Ticket t : joined) {
        if (t.cancelled) {
          continue;
        }
        if (c.takesStream()) {
          openStream(t, c);
        } else if (!tryServe(t)) {
          requeue(t);
        }
      }
    } else {
      Ticket owner = null;
      for (Ticket t : joined) {
        if (t.cancelled) {
          continue;
        }
        if (owner == null) {
          owner = t;
        } else if (!tryServe(t)) {
          requeue(t);
        }
      }
      if (owner != null) {
        grant(owner, c, c.channel);
      } else {
        handOff(c);
      }
    }
    serveWaiting();
  }

  /** The connection could not be made ready: its tickets fail with the cause. */
  void failConn(Conn c, Throwable cause, FailureReason fallback) {
    if (pending == c) {
      pending = null;
    }
    List<Ticket> joined = c.joined;
    c.joined = List.of();
    for (Ticket t : joined) {
      if (!t.cancelled) {
        t.listener.failed(t, cause, fallback);
      }
    }
    c.channel.close();
  }

  /** ALPN agreed on HTTP/2: the connection is ready once the server's SETTINGS say how many streams. */
  void negotiatedHttp2(Conn c) {
    c.protocol = Protocol.HTTP_2;
    protocol = Protocol.HTTP_2;
  }

  /**
   * The server's SETTINGS: how many streams it lets us open at once. The first ones make the
   * connection ready, so no stream is opened beyond what the server allows.
   */
  void settings(Conn c, Long maxConcurrentStreams) {
    if (maxConcurrentStreams != null) {
      c.maxStreams = (int) Math.max(1, Math.min(MAX_STREAMS_PER_CONNECTION, maxConcurrentStreams));
    } else if (!c.ready) {
      c.maxStreams = MAX_STREAMS_PER_CONNECTION; // no limit from the server
    }
    if (!c.ready) {
      ready(c, Protocol.HTTP_2);
      return;
    }
    serveWaiting();
  }

  /** GOAWAY: no new streams on this connection; the ones in flight may finish. */
  void goingAway(Conn c) {
    c.goingAway = true;
    if (c.streams == 0) {
      c.channel.close();
    }
  }

  /** Nothing went over the connection for the idle timeout. */
  void idleTimeout(Conn c) {
    if (c.streams == 0) {
      c.channel.close();
    }
  }

  private void openStream(Ticket t, Conn c) {
    c.streams++;
    streamCount++;
    new Http2StreamChannelBootstrap(c.channel)
        .handler(channels.streamInitializer())
        .open()
        .addListener(f -> {
          if (!f.isSuccess()) {
            streamEnded(c);
            if (!t.cancelled) {
              t.listener.failed(t, f.cause(), FailureReason.IO);
            }
            return;
          }
          Http2StreamChannel s = (Http2StreamChannel) f.getNow();
          s.closeFuture().addListener(x -> streamEnded(c));
          grant(t, c, s);
        });
  }

  private void streamEnded(Conn c) {
    c.streams--;
    streamCount--;
    if (c.streams == 0 && (c.goingAway || retired)) {
      c.channel.close();
      return;
    }
    serveWaiting();
  }

  private void closed(Conn c) {
    open--;
    if (idle.remove(c)) {
      idleCount = idle.size();
    }
    multiplexed.remove(c);
    if (pending == c) {
      pending = null;
    }
    if (c.connected && !c.ready) {
      // Closed during the TLS handshake or before the server's HTTP/2 SETTINGS. The handshake's
      // own failure (a certificate not trusted, say) is reported right after the close: let it
      // reach the attempts first.
      Throwable cause = c.protocol == Protocol.HTTP_2
          ? new IOException("connection closed before the server's HTTP/2 SETTINGS"
              + (origin.h2c() ? " (does the endpoint speak h2c?)" : ""))
          : new ClosedChannelException();
      FailureReason fallback = c.protocol != Protocol.HTTP_2 && origin.secure()
          ? FailureReason.TLS : FailureReason.IO;
      loop.execute(() -> failConn(c, cause, fallback));
    }
    serveWaiting();
  }

  private void checkEmpty() {
    if (retired && open == 0 && waiters == 0) {
      onEmpty.run();
    }
  }

  /** Runs on the pool's loop; once that has shut down, its connections are gone and so is the work. */
  private void onLoop(Runnable r) {
    EventLoops.run(loop, r);
  }
}
