package io.ringhook.media;

import io.netty.buffer.Unpooled;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.MediaBridge;
import io.ringhook.sip.MediaEnd;
import io.ringhook.sip.MediaListener;
import io.ringhook.sip.MediaParams;
import io.ringhook.sip.MediaSession;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in {@code echo} agent: plays the caller's own audio back to them, with no WebSocket.
 *
 * <p>Each call gets an {@link RtpEndpoint} from the shared {@link RtpEndpoints}, so the echo goes
 * through the same jitter and reorder handling, pacer, RTP timeout and counters as a bridged call;
 * the echo itself is a tiny {@link RtpEvents} consumer that queues every inbound frame for
 * sending, unchanged (same payload type, so no transcoding). It is what an operator calls to test
 * a trunk's media path (one-way audio, latency, NAT) without an AI agent, and the media ceiling
 * of a server without any JSON. The decision's variables and the caller's DTMF are only logged at
 * DEBUG: nothing consumes them.
 */
public final class EchoMediaBridge implements MediaBridge {
  private static final Logger log = LoggerFactory.getLogger(EchoMediaBridge.class);

  private final RtpEndpoints endpoints;

  /** An echo on a shared pool of RTP endpoints. */
  public EchoMediaBridge(RtpEndpoints endpoints) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
  }

  @Override
  public CompletableFuture<MediaSession> open(InboundCall call, CallDecision.Connect decision) {
    log.debug("call {}: echo for {} -> {}, variables {}", call.callId(), call.fromNumber(), call.toNumber(),
        decision.variables());
    CompletableFuture<RtpEndpoint> endpoint = endpoints.open(call.callId());
    CompletableFuture<MediaSession> session = endpoint.thenApply(EchoSession::new);
    // A caller who hangs up while the port is bound cancels the session, not the endpoint's
    // future: pass the cancellation on, and close an endpoint that was bound meanwhile.
    session.whenComplete((s, ex) -> {
      if (session.isCancelled()) {
        endpoint.cancel(true);
        endpoint.thenAccept(e -> e.close("call not answered"));
      }
    });
    return session;
  }

  /** One echoed call: the endpoint plus the echo consumer. */
  private static final class EchoSession implements MediaSession {
    private final RtpEndpoint endpoint;

    EchoSession(RtpEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public int rtpPort() {
      return endpoint.localPort();
    }

    @Override
    public void start(MediaParams params, MediaListener listener) {
      endpoint.start(params, new Echo(endpoint, listener));
    }

    @Override
    public void update(MediaParams params) {
      endpoint.update(params);
    }

    @Override
    public void close(String reason) {
      endpoint.close(reason);
    }

    @Override
    public String toString() {
      return "EchoSession[" + endpoint.callId() + ", port " + endpoint.localPort() + "]";
    }
  }

  /** The echo: every frame in is queued out again. */
  static final class Echo implements RtpEvents {
    private final RtpEndpoint endpoint;
    private final MediaListener listener;
    private final AtomicBoolean ended = new AtomicBoolean();

    Echo(RtpEndpoint endpoint, MediaListener listener) {
      this.endpoint = endpoint;
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void onAudio(AudioFrame frame) {
      endpoint.send(Unpooled.wrappedBuffer(frame.payload()), frame.codec());
    }

    @Override
    public void onDtmf(DtmfEvent event) {
      log.debug("call {}: DTMF '{}' ({} ms)", endpoint.callId(), event.digit(), event.durationMillis());
    }

    @Override
    public void onTimeout(Duration silentFor) {
      if (ended.compareAndSet(false, true)) { // the endpoint has logged the silence
        listener.mediaEnded(MediaEnd.rtpTimeout());
      }
    }
  }
}
