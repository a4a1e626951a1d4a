package io.ringhook.sip;

/**
 * The media of one answered call: one local RTP port and whatever carries the audio beyond it.
 *
 * <p>All methods are called from the call's event thread and must not block. {@link #close} is
 * idempotent and releases everything (port, sockets, timers, queued buffers).
 */
public interface MediaSession {

  /** The local UDP port bound for RTP, written into the SDP. */
  int rtpPort();

  /**
   * Starts sending and receiving with the negotiated parameters. Called once, when the SDP
   * exchange is complete (with the 200 OK when the INVITE carried an offer, on the ACK otherwise).
   *
   * @param listener told when the media side ends the call (RTP timeout, agent hang-up)
   */
  void start(MediaParams params, MediaListener listener);

  /** Applies a renegotiation (re-INVITE: new remote address, hold or resume). */
  void update(MediaParams params);

  /**
   * Ends the media. {@code reason} says why, e.g. "caller hung up" (the agent is then sent
   * {@code stop}).
   */
  void close(String reason);
}
