package io.ringhook.server.live;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A call in progress as the console's Live calls page shows it.
 *
 * @param callId       ringhook's call id (the id of its record once it ends)
 * @param from         the caller, E.164 or {@code anonymous}
 * @param to           the dialed number
 * @param trunk        the trunk the INVITE matched
 * @param received     when the INVITE arrived (as far as this registry knows: when it started ringing)
 * @param state        where the call is now
 * @param since        when it entered that state
 * @param webhook      whether the dialed number has an inbound webhook being asked
 * @param attemptsDone webhook attempts finished so far
 * @param lastAttempt  how the last finished attempt ended, e.g. {@code status (HTTP 500)}
 * @param agent        the agent picked for the call, once picked
 */
public record LiveCall(String callId, String from, String to, String trunk, Instant received, State state,
                       Instant since, boolean webhook, int attemptsDone, Optional<String> lastAttempt,
                       Optional<String> agent) {
  public LiveCall {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(lastAttempt, "lastAttempt");
    Objects.requireNonNull(agent, "agent");
  }

  /** Where a live call is. */
  public enum State {
    /** 180 sent; the webhook (if any) is being asked. */
    RINGING,
    /** Decided to connect; the agent's connection is opening. */
    CONNECTING,
    /** Answered: audio flows between the caller and the agent. */
    CONNECTED;

    /** The name in JSON. */
    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The webhook attempt in flight (1-based) while ringing with a webhook, else 0. */
  public int attemptInFlight() {
    return webhook && state == State.RINGING ? attemptsDone + 1 : 0;
  }

  LiveCall in(State next, Instant at) {
    return new LiveCall(callId, from, to, trunk, received, next, at, webhook, attemptsDone, lastAttempt, agent);
  }

  LiveCall attemptEnded(String how) {
    return new LiveCall(callId, from, to, trunk, received, state, since, webhook, attemptsDone + 1,
        Optional.of(how), agent);
  }

  LiveCall withAgent(String name) {
    return new LiveCall(callId, from, to, trunk, received, state, since, webhook, attemptsDone, lastAttempt,
        Optional.of(name));
  }
}
