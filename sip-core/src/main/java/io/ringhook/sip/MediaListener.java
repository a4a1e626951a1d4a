package io.ringhook.sip;

/** What a {@link MediaSession} tells the SIP layer; may be called from any thread. */
@FunctionalInterface
public interface MediaListener {
  /**
   * The media side has ended the call (no RTP for the timeout, the agent closed its connection);
   * the SIP layer sends BYE. Called at most once.
   *
   * @param reason why, for logs and the BYE's Reason header
   */
  void mediaEnded(String reason);
}
