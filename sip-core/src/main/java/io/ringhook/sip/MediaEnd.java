package io.ringhook.sip;

import java.util.Objects;

/**
 * Why the media side ended a call, as a {@link MediaListener} reports it.
 *
 * @param by     who ended it: {@link EndedBy#AGENT} when the agent hung up, else {@link EndedBy#RINGHOOK}
 * @param reason in words, for logs, the BYE's Reason header and the call record's detail
 */
public record MediaEnd(EndedBy by, String reason) {
  /** The words of an RTP timeout; every bridge uses the same, so records can be counted by it. */
  public static final String RTP_TIMEOUT = "rtp timeout";

  public MediaEnd {
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(reason, "reason");
  }

  /** The agent closed its connection, saying {@code why}. */
  public static MediaEnd agentHungUp(String why) {
    return new MediaEnd(EndedBy.AGENT, "agent hung up: " + why);
  }

  /** No RTP from the caller for the configured timeout. */
  public static MediaEnd rtpTimeout() {
    return new MediaEnd(EndedBy.RINGHOOK, RTP_TIMEOUT);
  }
}
