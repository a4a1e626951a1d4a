package io.ringhook.media;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
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
 * The built-in demo media bridge: plays the caller's own audio back to them, paced at 20 ms.
 *
 * <p>Each call gets an {@link RtpEndpoint} from the shared {@link RtpEndpoints}; the echo itself is
 * a tiny {@link RtpEvents} consumer that queues every inbound frame for sending, unchanged (same
 * payload type, so no transcoding). DTMF is logged. The variables of the call decision are logged,
 * which is all a demo agent does with them.
 */
public final class EchoMediaBridge implements MediaBridge {
  private static final Logger log = LoggerFactory.getLogger(EchoMediaBridge.class);

  private final RtpEndpoints endpoints;

  /** An echo bridge on a shared pool of RTP endpoints. */
  public EchoMediaBridge(RtpEndpoints endpoints) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
  }

  /** An echo bridge with a pool of its own, for when nothing else needs RTP ports. */
  public static EchoMediaBridge create(RtpSettings settings, EventLoopGroup group, Ticker ticker) {
    return new EchoMediaBridge(RtpEndpoints.create(settings, group, ticker));
  }

  /** The pool this bridge takes its ports from. */
  public RtpEndpoints endpoints() {
    return endpoints;
  }

  @Override
  public CompletableFuture<MediaSession> open(InboundCall call, CallDecision.Connect decision) {
    log.info("call {}: echo agent for {} -> {}, variables {}", call.callId(), call.fromNumber(),
        call.toNumber(), decision.variables());
    return endpoints.open(call.callId()).thenApply(EchoSession::new);
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
      log.info("call {}: DTMF '{}' ({} ms)", endpoint.callId(), event.digit(), event.durationMillis());
    }

    @Override
    public void onTimeout(Duration silentFor) {
      if (ended.compareAndSet(false, true)) {
        listener.mediaEnded(MediaEnd.rtpTimeout());
      }
    }
  }
}
