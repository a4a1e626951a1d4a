package io.ringhook.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of asking a webhook about one call: its variables, or the failure, each with every
 * attempt made.
 */
public sealed interface WebhookResult permits WebhookResult.Success, WebhookResult.Failure {

  /** Every attempt made, in order; never empty. */
  List<Attempt> attempts();

  /** One line for logs and call records, e.g. {@code webhook 200 on attempt 2, 3 variables}. */
  String summary();

  /** The last attempt made. */
  default Attempt lastAttempt() {
    return attempts().get(attempts().size() - 1);
  }

  /**
   * The webhook answered 2xx with an empty body or a JSON object.
   *
   * @param answer   what the body said: variables, and optionally an agent, a decline, metadata
   * @param attempts every attempt made; the last one succeeded
   */
  record Success(Answer answer, List<Attempt> attempts) implements WebhookResult {
    public Success {
      Objects.requireNonNull(answer, "answer");
      attempts = checkAttempts(attempts);
      if (!attempts.get(attempts.size() - 1).succeeded()) {
        throw new IllegalArgumentException("the last attempt of a success must have succeeded");
      }
    }

    /** A success whose answer holds only variables. */
    public Success(Map<String, String> variables, List<Attempt> attempts) {
      this(Answer.of(variables), attempts);
    }

    /** The {@code dynamic_variables}, flattened to strings, in the order received. */
    public Map<String, String> variables() {
      return answer.variables();
    }

    @Override
    public String summary() {
      Attempt last = lastAttempt();
      String head = "webhook " + last.status().orElse(0) + " on attempt " + last.number();
      if (answer.decline().isPresent()) {
        Decline d = answer.decline().get();
        return head + ", declined " + d.status() + (d.reason().isEmpty() ? "" : " (" + d.reason() + ")");
      }
      int n = answer.variables().size();
      return head + ", " + n + (n == 1 ? " variable" : " variables")
          + answer.agent().map(a -> ", agent " + a).orElse("");
    }
  }

  /**
   * What a successful webhook answer said.
   *
   * @param variables the {@code dynamic_variables}, flattened to strings, in the order received
   * @param agent     the {@code agent} to take the call instead of the number's own
   * @param decline   the {@code decline}: end the call with this status and reason
   * @param metadata  the {@code metadata} object as compact JSON text
   */
  record Answer(Map<String, String> variables, Optional<String> agent, Optional<Decline> decline,
                Optional<String> metadata) {
    public Answer {
      variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(decline, "decline");
      Objects.requireNonNull(metadata, "metadata");
    }

    /** An answer with variables only (the seed's contract). */
    public static Answer of(Map<String, String> variables) {
      return new Answer(variables, Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  /**
   * A webhook's {@code decline}.
   *
   * @param status the SIP status to end the call with: 403, 404, 480, 486 or 603
   * @param reason the customer's reason (printable, at most {@value #MAX_REASON} characters); may be empty
   */
  record Decline(int status, String reason) {
    /** The SIP statuses a decline may name. */
    public static final java.util.Set<Integer> STATUSES = java.util.Set.of(403, 404, 480, 486, 603);
    /** The longest reason accepted. */
    public static final int MAX_REASON = 100;

    public Decline {
      if (!STATUSES.contains(status)) {
        throw new IllegalArgumentException("decline status must be 403, 404, 480, 486 or 603, got " + status);
      }
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Every attempt failed. */
  record Failure(List<Attempt> attempts) implements WebhookResult {
    public Failure {
      attempts = checkAttempts(attempts);
      if (attempts.stream().anyMatch(Attempt::succeeded)) {
        throw new IllegalArgumentException("a failure cannot hold a successful attempt");
      }
    }

    /** The reason the last attempt failed. */
    public FailureReason reason() {
      return lastAttempt().failure().orElseThrow();
    }

    @Override
    public String summary() {
      int n = attempts.size();
      return "webhook: " + n + (n == 1 ? " attempt" : " attempts") + " failed, last: "
          + lastAttempt().describe();
    }
  }

  /**
   * One HTTP attempt.
   *
   * @param number  1 for the first attempt, 2 for the first retry, ...
   * @param start   when it started, by the client's clock (its wait for a connection included)
   * @param latency how long the webhook's part took, from the connect or the reused connection
   *                until success, failure or the deadline: the time the deadline counts
   * @param status  the HTTP status, when a response head arrived
   * @param failure why it failed, or empty when it succeeded
   * @param detail  human-readable detail (never the signing secret)
   * @param queued  how long the attempt waited for a connection because every one the origin may
   *                have was busy: ringhook's own delay, not charged to the deadline
   */
  record Attempt(
      int number,
      Instant start,
      Duration latency,
      OptionalInt status,
      Optional<FailureReason> failure,
      String detail,
      Duration queued) {

    /** An attempt that did not wait for a connection. */
    public Attempt(int number, Instant start, Duration latency, OptionalInt status,
        Optional<FailureReason> failure, String detail) {
      this(number, start, latency, status, failure, detail, Duration.ZERO);
    }

    public Attempt {
      if (number < 1) {
        throw new IllegalArgumentException("attempt number must be >= 1, got " + number);
      }
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(failure, "failure");
      Objects.requireNonNull(queued, "queued");
      detail = detail == null ? "" : detail;
    }

    public boolean succeeded() {
      return failure.isEmpty();
    }

    /** E.g. {@code status (HTTP 500)} or {@code timeout (no complete response within 10s)}. */
    public String describe() {
      String what = failure.map(FailureReason::label).orElse("ok");
      return detail.isEmpty() ? what : what + " (" + detail + ")";
    }
  }

  private static List<Attempt> checkAttempts(List<Attempt> attempts) {
    List<Attempt> copy = List.copyOf(attempts);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("a result holds at least one attempt");
    }
    return copy;
  }
}
