package io.ringhook.media.agent;

/**
 * Receives what an agent sends on its {@link AgentConnection}.
 *
 * <p>Called on the connection's Netty event loop, one call at a time, in the order the agent sent
 * the messages, and never before the connect future has completed. Implementations must not
 * block; they hand the work to their own call's executor or event loop. What they throw is logged
 * and otherwise ignored.
 */
interface AgentListener {
  /** Audio for the caller: μ-law, 8000 Hz, of any length (never empty). */
  void onMedia(byte[] mulaw);

  /** A mark to echo (with {@link AgentConnection#sendMark}) once the audio before it has played. */
  void onMark(String name);

  /** Drop all queued audio now and echo the marks dropped with it (barge-in). */
  void onClear();

  /**
   * The agent closed the WebSocket or the connection dropped; called at most once, and not at all
   * when ringhook itself ended the connection with {@link AgentConnection#stop} or
   * {@link AgentConnection#close}.
   *
   * @param reason for the log and the call record, e.g.
   *     {@code agent closed the WebSocket (1000 normal closure: bye)}
   */
  void onClosed(String reason);
}
