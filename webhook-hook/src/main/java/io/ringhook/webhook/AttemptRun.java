package io.ringhook.webhook;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP attempt of a call: get a channel from the origin's pool, send, read the response, all
 * under one deadline; then report to the {@link CallRun} exactly once.
 *
 * <p>The deadline starts when the pool starts serving the attempt: a wait for a free connection
 * while the origin has all the connections it may have is ringhook's own delay, counted as the
 * attempt's {@code queued} time, never charged to the webhook. Connecting, TLS, the request and the
 * response are the webhook's and count.
 *
 * <p>Every state change runs on the call's event loop; pool and connection events hop there first
 * and are ignored unless they concern the ticket or channel the attempt currently holds. A
 * connection whose attempt timed out, failed mid-response or was aborted is closed, never pooled
 * again (on HTTP/2 only its stream is reset).
 */
final class AttemptRun implements OriginPool.Listener {

  private static final Logger log = LoggerFactory.getLogger(AttemptRun.class);

  /** Where the attempt is, for the timeout's message. */
  private enum Phase {
    CONNECTING("while connecting"),
    WAITING("waiting for the response");

    final String text;

    Phase(String text) {
      this.text = text;
    }
  }

  private final CallRun call;
  private final int number;
  private final EventLoop loop;
  private final Instant start;
  private final long createdNanos;

  private Phase phase = Phase.CONNECTING;
  private boolean done;
  private boolean resent;
  private boolean reusedConnection;
  private OriginPool pool;
  private OriginPool.Ticket ticket;
  private OriginPool.Lease lease;
  private Channel channel;
  private ScheduledFuture<?> deadline;
  private long startedNanos;
  private Duration queued = Duration.ZERO;

  AttemptRun(CallRun call, int number) {
    this.call = call;
    this.number = number;
    this.loop = call.loop();
    this.start = call.client().clock().instant();
    this.createdNanos = call.client().nanoTime();
  }

  int number() {
    return number;
  }

  Instant started() {
    return start;
  }

  void start() {
    acquire();
  }

  private void acquire() {
    phase = Phase.CONNECTING;
    OriginPool from = call.client().pool(call.origin());
    pool = from;
    ticket = from.ticket(call.message().target(), this, call.policy().timeout());
    from.acquire(ticket);
  }

  // ---- the pool's answers, on the pool's loop: hop to the call's ----

  @Override
  public void started(OriginPool.Ticket t, Duration waited) {
    call.onLoop(() -> {
      if (done || t != ticket || deadline != null) {
        return;
      }
      queued = waited;
      startedNanos = call.client().nanoTime();
      deadline = loop.schedule(this::onDeadline, call.policy().timeout().toNanos(),
          TimeUnit.NANOSECONDS);
      if (!waited.isZero()) {
        log.debug("call_id={} attempt={} waited {} ms for a connection to {}",
            call.request().callId(), number, waited.toMillis(), call.origin());
      }
    });
  }

  @Override
  public void granted(OriginPool.Ticket t, OriginPool.Lease l) {
    call.onLoop(() -> {
      if (done || t != ticket) {
        // Arrived after the deadline or an abort; still clean, so it goes back unused.
        t.pool().release(l, true);
        return;
      }
      ticket = null;
      lease = l;
      channel = l.channel();
      send(l);
    });
  }

  @Override
  public void failed(OriginPool.Ticket t, Throwable cause, FailureReason fallback) {
    call.onLoop(() -> {
      if (done || t != ticket) {
        return;
      }
      ticket = null;
      fail(Failures.classify(cause, fallback));
    });
  }

  private void send(OriginPool.Lease l) {
    phase = Phase.WAITING;
    reusedConnection = l.reused();
    Channel ch = l.channel();
    FullHttpRequest request = call.message().request(number);
    int max = call.policy().maxResponseBytes();
    Exchange exchange = new Exchange(ch);
    Runnable write =
        () -> {
          ch.pipeline().get(ResponseHandler.class).begin(exchange, max);
          ch.writeAndFlush(request)
              .addListener(
                  w -> {
                    if (!w.isSuccess()) {
                      exchange.onFailure(
                          FailureReason.IO, "could not send the request: " + w.cause(), 0, true);
                    }
                  });
        };
    if (ch.eventLoop().inEventLoop()) {
      write.run();
    } else {
      ch.eventLoop().execute(write);
    }
  }

  /** The response to one request on one connection; stale once the attempt has moved on. */
  private final class Exchange implements ResponseHandler.Listener {
    private final Channel ch;

    Exchange(Channel ch) {
      this.ch = ch;
    }

    @Override
    public void onResponse(Response response) {
      call.onLoop(
          () -> {
            if (done || ch != channel) {
              return;
            }
            ResponseEvaluator.Verdict v = ResponseEvaluator.evaluate(response, call.request().agents());
            finish(OptionalInt.of(response.status()), v.reason(), v.detail(), v.answer(),
                response.keepAlive());
          });
    }

    @Override
    public void onFailure(
        FailureReason reason, String detail, int status, boolean nothingReceived) {
      call.onLoop(
          () -> {
            if (done || ch != channel) {
              return;
            }
            if (reason == FailureReason.IO && nothingReceived && reusedConnection && !resent) {
              // The usual keep-alive race: the server closed an idle connection as we reused it.
              // Sent again, once, on another connection and within the same deadline.
              log.debug("call_id={} attempt={} stale keep-alive connection ({}), resending",
                  call.request().callId(), number, detail);
              resent = true;
              dropChannel();
              acquire();
              return;
            }
            OptionalInt s = status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
            finish(s, reason, detail, null, false);
          });
    }
  }

  private void onDeadline() {
    if (done) {
      return;
    }
    OptionalInt status = OptionalInt.empty();
    String where = phase.text;
    ResponseHandler h = channel == null ? null : channel.pipeline().get(ResponseHandler.class);
    if (h != null && phase == Phase.WAITING && h.progressStatus() != 0) {
      status = OptionalInt.of(h.progressStatus());
      where = "reading the body (status " + h.progressStatus() + ", " + h.progressBytes()
          + " bytes so far)";
    }
    finish(status, FailureReason.TIMEOUT,
        "no complete response within " + format(call.policy().timeout()) + ", timed out " + where,
        null, false);
  }

  /**
   * The caller hung up: stops the attempt and closes its connection.
   *
   * @return how long the attempt had been running
   */
  Duration abort() {
    if (!done) {
      done = true;
      stopWaiting();
      dropChannel();
    }
    return latency();
  }

  /** How long the attempt waited for a connection: ringhook's delay, not the webhook's. */
  Duration queued() {
    return deadline != null ? queued : Duration.ofNanos(call.client().nanoTime() - createdNanos);
  }

  private void fail(Failures.Classified c) {
    finish(OptionalInt.empty(), c.reason(), c.detail(), null, false);
  }

  /**
   * Ends the attempt; a connection goes back to the pool only after a complete keep-alive
   * response, whatever its verdict, since nothing of it is left unread.
   */
  private void finish(
      OptionalInt status,
      FailureReason reason,
      String detail,
      WebhookResult.Answer answer,
      boolean reusable) {
    done = true;
    stopWaiting();
    if (reusable && lease != null) {
      OriginPool.Lease l = lease;
      lease = null;
      channel = null;
      pool.release(l, true);
    } else {
      dropChannel();
    }
    WebhookResult.Attempt a =
        new WebhookResult.Attempt(
            number, start, latency(), status, Optional.ofNullable(reason), detail, queued());
    call.onAttemptDone(this, a, reason == null ? answer : null);
  }

  private void stopWaiting() {
    if (deadline != null) {
      deadline.cancel(false);
    }
    if (ticket != null) {
      // A channel that still arrives goes back to the pool unused (see granted).
      ticket.cancel();
      ticket = null;
    }
  }

  /** Closes the channel of this attempt (its connection, or its stream on HTTP/2), if any. */
  private void dropChannel() {
    OriginPool.Lease l = lease;
    lease = null;
    channel = null;
    if (l != null) {
      pool.release(l, false);
    }
  }

  /** The webhook's share of the attempt: from its start past any queue, to now. */
  private Duration latency() {
    return deadline == null ? Duration.ZERO
        : Duration.ofNanos(call.client().nanoTime() - startedNanos);
  }

  static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
