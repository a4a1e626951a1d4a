package io.ringhook.sip;

import io.ringhook.sip.CallObserver.CallSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What has happened to one call so far, written as it happens and turned into its one
 * {@link CallSummary} when it ends. Confined to the call's event thread (or, for an INVITE refused
 * at the screen, to the JAIN-SIP thread that refused it), so it needs no locks.
 */
final class CallStory {
  private final InboundCall call;
  private final Instant received;
  private Instant ringing;
  private Instant decided;
  private Instant answered;
  private int finalStatus;
  private Outcome outcome;
  private String detail = "";
  private EndedBy endedBy;
  private Map<String, String> variables = Map.of();
  private Optional<String> agent = Optional.empty();
  private Optional<String> metadata = Optional.empty();
  private Optional<String> webhookFailure = Optional.empty();
  private List<CallDecision.Attempt> attempts = List.of();

  CallStory(InboundCall call, Instant received) {
    this.call = call;
    this.received = received;
  }

  /** The summary of an INVITE refused before it became a call: it never rang, and ringhook ended it. */
  static CallSummary refused(InboundCall call, Outcome outcome, String detail, Instant at) {
    CallStory s = new CallStory(call, at);
    s.finalStatus = outcome.status();
    s.outcome(outcome, detail);
    return s.summary(at);
  }

  void ringing(Instant at) {
    ringing = at;
    finalStatus = 180;
  }

  /** The decider answered (or failed); the first time counts. */
  void decided(Instant at) {
    if (decided == null) {
      decided = at;
    }
  }

  /** The media is being opened for {@code connect}: its variables, agent and metadata are the call's. */
  void connecting(CallDecision.Connect connect) {
    variables = connect.variables();
    agent = connect.agent();
    metadata = connect.metadata();
    webhookFailure = connect.webhookFailure();
  }

  /** The decision has settled (or will not): what the decider tried. */
  void decision(CallDecision decision) {
    attempts = decision.attempts();
  }

  void answered(Instant at) {
    answered = at;
    finalStatus = 200;
  }

  void refused(int status) {
    finalStatus = status;
  }

  /**
   * The call's outcome: the first one set wins, except that a call merely "answered" learns how
   * it then ended (caller hung up, agent hung up, server stopped).
   */
  void outcome(Outcome o, String why) {
    if (outcome == null) {
      outcome = o;
      detail = why;
    } else if (outcome == Outcome.CONNECTED && "answered".equals(detail)) {
      detail = why;
    }
  }

  /** Who ended the call: the first side to do so. */
  void endedBy(EndedBy by) {
    if (endedBy == null) {
      endedBy = by;
    }
  }

  /** The server stopped before the call could end on its own (e.g. our BYE got no answer). */
  void abandoned() {
    if (outcome != null && !detail.contains("shutdown")) {
      detail = detail + " (no answer to BYE before shutdown)";
    }
  }

  CallSummary summary(Instant ended) {
    return new CallSummary(call, outcome == null ? Outcome.UNKNOWN : outcome, detail, finalStatus,
        endedBy == null ? EndedBy.RINGHOOK : endedBy, received, Optional.ofNullable(ringing),
        Optional.ofNullable(decided), Optional.ofNullable(answered), ended, variables, agent, attempts, metadata,
        webhookFailure);
  }
}
