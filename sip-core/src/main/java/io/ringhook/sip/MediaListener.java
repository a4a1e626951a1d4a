package io.ringhook.sip;

/** What a {@link MediaSession} tells the SIP layer; may be called from any thread. */
@FunctionalInterface
public interface MediaListener {
  /**
   * The media side has ended the call (no RTP for the timeout, the agent closed its connection);
   * the SIP layer sends BYE. Called at most once.
   *
   * @param end who ended it and why (for logs, the BYE's Reason header and the call record)
   */
  void mediaEnded(MediaEnd end);
}
