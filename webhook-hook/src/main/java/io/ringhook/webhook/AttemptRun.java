package io.ringhook.webhook;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP attempt of a call: acquire a connection, finish TLS, send, read the response, all
 * under one deadline; then report to the {@link CallRun} exactly once.
 *
 * <p>Every state change runs on the call's event loop; connection events hop there first and are
 * ignored unless they come from the connection the attempt currently holds. A connection whose
 * attempt timed out, failed mid-response or was aborted is closed, never pooled again.
 */
final class AttemptRun {

  private static final Logger log = LoggerFactory.getLogger(AttemptRun.class);

  /** Where the attempt is, for the timeout's message. */
  private enum Phase {
    CONNECTING("while connecting"),
    HANDSHAKING("in the TLS handshake"),
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
  private final long startNanos;

  private Phase phase = Phase.CONNECTING;
  private boolean done;
  private boolean resent;
  private boolean reusedConnection;
  private OriginPool pool;
  private Future<Channel> acquiring;
  private Channel channel;
  private ScheduledFuture<?> deadline;

  AttemptRun(CallRun call, int number) {
    this.call = call;
    this.number = number;
    this.loop = call.loop();
    this.start = call.client().clock().instant();
    this.startNanos = System.nanoTime();
  }

  int number() {
    return number;
  }

  Instant started() {
    return start;
  }

  void start() {
    deadline =
        loop.schedule(this::onDeadline, call.policy().timeout().toNanos(), TimeUnit.NANOSECONDS);
    acquire();
  }

  private void acquire() {
    phase = Phase.CONNECTING;
    OriginPool from = call.client().pool(call.origin());
    Future<Channel> f = from.acquire();
    pool = from;
    acquiring = f;
    f.addListener(ignored -> call.onLoop(() -> onAcquired(from, f)));
  }

  private void onAcquired(OriginPool from, Future<Channel> f) {
    if (done || f != acquiring) {
      if (f.isSuccess()) {
        // Arrived after the deadline or an abort; still clean, so it goes back unused.
        from.release(f.getNow());
      }
      return;
    }
    acquiring = null;
    if (!f.isSuccess()) {
      fail(Failures.classify(f.cause(), FailureReason.IO));
      return;
    }
    Channel ch = f.getNow();
    channel = ch;
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl == null || ssl.handshakeFuture().isSuccess()) {
      send(ch);
      return;
    }
    phase = Phase.HANDSHAKING;
    ssl.handshakeFuture().addListener(h -> call.onLoop(() -> onHandshake(ch, h)));
  }

  private void onHandshake(Channel ch, Future<?> handshake) {
    if (done || ch != channel) {
      return;
    }
    if (!handshake.isSuccess()) {
      fail(Failures.classify(handshake.cause(), FailureReason.TLS));
      return;
    }
    send(ch);
  }

  private void send(Channel ch) {
    phase = Phase.WAITING;
    reusedConnection = ch.hasAttr(OriginPool.USED);
    ch.attr(OriginPool.USED).set(Boolean.TRUE);
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
    return elapsed();
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
    if (reusable && channel != null) {
      Channel ch = channel;
      channel = null;
      pool.release(ch);
    } else {
      dropChannel();
    }
    WebhookResult.Attempt a =
        new WebhookResult.Attempt(
            number, start, elapsed(), status, Optional.ofNullable(reason), detail);
    call.onAttemptDone(this, a, reason == null ? answer : null);
  }

  private void stopWaiting() {
    deadline.cancel(false);
    if (acquiring != null) {
      // A connection that still arrives goes back to the pool unused (see onAcquired).
      acquiring.cancel(false);
      acquiring = null;
    }
  }

  /** Closes the connection of this attempt, if any, and hands it back so the pool forgets it. */
  private void dropChannel() {
    Channel ch = channel;
    channel = null;
    if (ch != null) {
      ch.close();
      pool.release(ch);
    }
  }

  private Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
