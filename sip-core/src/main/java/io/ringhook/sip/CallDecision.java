package io.ringhook.sip;

import java.util.Map;

/** The outcome of a {@link CallDecider}: connect the call, or refuse it with a SIP status. */
public sealed interface CallDecision {

  /**
   * Answer the call and bridge its media.
   *
   * @param variables the dynamic variables handed to the agent (already flattened to strings)
   * @param detail    free text for logs and call records (e.g. "webhook 200 on attempt 2")
   */
  record Connect(Map<String, String> variables, String detail) implements CallDecision {
    public Connect {
      variables = Map.copyOf(variables);
      detail = detail == null ? "" : detail;
    }
  }

  /**
   * Refuse the call with a final SIP failure response.
   *
   * @param status  a SIP status code from 400 to 699
   * @param reason  why, for logs and call records (e.g. "webhook: 4 attempts failed, last: timeout")
   * @param outcome the outcome recorded (e.g. {@link Outcome#WEBHOOK_FAILED}); {@link Outcome#REFUSED} when null
   */
  record Refuse(int status, String reason, Outcome outcome) implements CallDecision {
    public Refuse {
      if (status < 400 || status > 699) {
        throw new IllegalArgumentException("refusal status must be 400..699, got " + status);
      }
      reason = reason == null ? "" : reason;
      outcome = outcome == null ? Outcome.REFUSED : outcome;
    }
  }

  static Connect connect(Map<String, String> variables) {
    return new Connect(variables, "");
  }

  static Refuse refuse(int status, String reason, Outcome outcome) {
    return new Refuse(status, reason, outcome);
  }
}
