package io.ringhook.sip;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of a {@link CallDecider}: connect the call, decline it as the customer asked, refuse
 * it with a SIP status, or, when the caller hung up first, what the decider had done by then. Each
 * carries the decider's attempts (for a webhook, one per HTTP request), so the call's record has
 * them without asking anyone else.
 */
public sealed interface CallDecision {

  /** What the decider tried, in order (empty when it decided without asking anyone). */
  List<Attempt> attempts();

  /**
   * Answer the call and bridge its media.
   *
   * @param variables      the dynamic variables handed to the agent (already flattened to strings)
   * @param detail         free text for logs and call records (e.g. "webhook 200 on attempt 2")
   * @param agent          the agent to bridge to, by name; empty for the media bridge's default
   * @param attempts       what the decider tried
   * @param metadata       a JSON object (as compact text) handed to the agent and kept with the record
   * @param webhookFailure why the webhook failed, when the call is connected in spite of it (the
   *                       number's {@code on_webhook_failure: connect}); the agent is told
   */
  record Connect(Map<String, String> variables, String detail, Optional<String> agent, List<Attempt> attempts,
                 Optional<String> metadata, Optional<String> webhookFailure) implements CallDecision {
    public Connect {
      variables = Map.copyOf(variables);
      detail = detail == null ? "" : detail;
      Objects.requireNonNull(agent, "agent");
      attempts = List.copyOf(attempts);
      Objects.requireNonNull(metadata, "metadata");
      Objects.requireNonNull(webhookFailure, "webhookFailure");
    }

    /** Connect with no metadata, the webhook having answered (or not been asked). */
    public Connect(Map<String, String> variables, String detail, Optional<String> agent, List<Attempt> attempts) {
      this(variables, detail, agent, attempts, Optional.empty(), Optional.empty());
    }
  }

  /**
   * The customer declined the call (a webhook's {@code decline}): it ends at once with their status
   * and a {@code Reason} header, is recorded as {@link Outcome#DECLINED}, and is not retried.
   *
   * @param status   a SIP status code from 400 to 699 (the webhook contract allows 403, 404, 480, 486, 603)
   * @param reason   the customer's words (e.g. {@code spam}); sent to the caller as a Reason header's text
   * @param attempts what the decider tried
   */
  record Decline(int status, String reason, List<Attempt> attempts) implements CallDecision {
    public Decline {
      if (status < 400 || status > 699) {
        throw new IllegalArgumentException("decline status must be 400..699, got " + status);
      }
      reason = reason == null ? "" : reason;
      attempts = List.copyOf(attempts);
    }
  }

  /**
   * Refuse the call with a final SIP failure response.
   *
   * @param status   a SIP status code from 400 to 699
   * @param reason   why, for logs and call records (e.g. "webhook: 4 attempts failed, last: timeout")
   * @param outcome  the outcome recorded (e.g. {@link Outcome#WEBHOOK_FAILED}); {@link Outcome#REFUSED} when null
   * @param attempts what the decider tried
   */
  record Refuse(int status, String reason, Outcome outcome, List<Attempt> attempts) implements CallDecision {
    public Refuse {
      if (status < 400 || status > 699) {
        throw new IllegalArgumentException("refusal status must be 400..699, got " + status);
      }
      reason = reason == null ? "" : reason;
      outcome = outcome == null ? Outcome.REFUSED : outcome;
      attempts = List.copyOf(attempts);
    }
  }

  /**
   * The caller hung up before a decision: the decider stopped, and this is what it had tried,
   * including the attempt the hang-up aborted. It decides nothing; it completes the record.
   */
  record Abandoned(List<Attempt> attempts) implements CallDecision {
    public Abandoned {
      attempts = List.copyOf(attempts);
    }
  }

  /**
   * One try of a decider, e.g. one webhook request; call records store it as it is.
   *
   * @param number  1 for the first attempt
   * @param started when it started
   * @param latency how long it took, until the response, the failure, the deadline or the abort
   * @param status  the HTTP status, when a response came
   * @param failure why it failed (a short label such as {@code timeout} or {@code cancelled}); empty when it succeeded
   * @param detail  free text
   */
  record Attempt(int number, Instant started, Duration latency, OptionalInt status, Optional<String> failure,
                 String detail) {
    public Attempt {
      Objects.requireNonNull(started, "started");
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(failure, "failure");
      detail = detail == null ? "" : detail;
    }
  }

  /** Connect with {@code variables}, to the default agent, having asked no one. */
  static Connect connect(Map<String, String> variables) {
    return new Connect(variables, "", Optional.empty(), List.of());
  }

  /** Refuse, having asked no one. */
  static Refuse refuse(int status, String reason, Outcome outcome) {
    return new Refuse(status, reason, outcome, List.of());
  }
}
