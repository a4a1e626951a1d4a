package io.ringhook.media;

import io.netty.buffer.ByteBuf;
import io.ringhook.sip.MediaParams;
import java.util.concurrent.CompletableFuture;

/**
 * The RTP side of one call: a bound UDP port, the caller's audio coming in as ordered
 * {@link AudioFrame}s, and an outgoing queue paced into 20 ms packets.
 *
 * <p>Obtained from {@link RtpEndpoints#open}. All methods may be called from any thread and return
 * at once; the work runs on the endpoint's event loop, in call order. Sending follows symmetric RTP:
 * to the address the caller's packets come from once one has arrived, to the SDP address until
 * then.
 */
public interface RtpEndpoint {

  /** The call this endpoint belongs to (for logs). */
  String callId();

  /** The local UDP port, to be written into the SDP. */
  int localPort();

  /**
   * Starts the stream with the negotiated parameters: inbound audio is delivered to {@code events},
   * the pacer starts its clock and the inactivity timer runs.
   *
   * @throws IllegalStateException when already started
   */
  void start(MediaParams params, RtpEvents events);

  /** Applies a renegotiation: a new remote address resets the symmetric-RTP latch; hold/resume. */
  void update(MediaParams params);

  /**
   * Queues audio to send, taking ownership of {@code audio} (it is released once sent or dropped).
   * Any length; transcoded when {@code encoding} is not the negotiated codec. Audio queued before
   * {@link #start} waits for it. When more than a minute is queued, further audio is dropped.
   */
  void send(ByteBuf audio, AudioCodec encoding);

  /** Queues a mark behind the audio queued so far; {@link RtpEvents#onMark} reports it. */
  void mark(String name);

  /** Drops all queued audio now (barge-in); the marks queued are reported as cleared. */
  void clear();

  /** The counters so far (refreshed every 100 ms when read from another thread). */
  RtpStats stats();

  /**
   * Stops everything: timer, queue (buffers released), socket, port. Idempotent.
   *
   * @param reason why, for the log
   */
  void close(String reason);

  /** Completes once the socket is closed and its port is back in the pool. */
  CompletableFuture<Void> closeFuture();
}
