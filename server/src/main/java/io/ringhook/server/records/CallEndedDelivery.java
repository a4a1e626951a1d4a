package io.ringhook.server.records;

import io.ringhook.sip.CallDecision;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The delivery of one call's post-call {@code call_ended} event: where it goes, how far it got, and
 * every attempt. Stored with the call's record, so an event still pending at a restart is sent after.
 *
 * @param url      where the event is POSTed (the number's {@code call_ended_webhook_url} when the call ended)
 * @param state    pending (another attempt is due at {@code nextAt}), delivered, or failed (gave up)
 * @param nextAt   when the next attempt is due; empty unless pending
 * @param attempts every POST so far, in order, as a decider's attempts are kept: the HTTP status when a
 *                 response came, the failure ({@code status}, {@code timeout}, {@code refused}, {@code io})
 *                 unless it was a 2xx
 */
public record CallEndedDelivery(URI url, State state, Optional<Instant> nextAt, List<CallDecision.Attempt> attempts) {
  public CallEndedDelivery {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(nextAt, "nextAt");
    attempts = List.copyOf(attempts);
  }

  /** A delivery not yet tried, due at {@code at}. */
  public static CallEndedDelivery pending(URI url, Instant at) {
    return new CallEndedDelivery(url, State.PENDING, Optional.of(at), List.of());
  }

  /** Where a delivery is. */
  public enum State {
    PENDING, DELIVERED, FAILED;

    /** The name in the store, the admin API and the metric tag: {@code pending}, {@code delivered}, {@code failed}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static State of(String value) {
      return valueOf(value.toUpperCase(Locale.ROOT));
    }
  }
}
