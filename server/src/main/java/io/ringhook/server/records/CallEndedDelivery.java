package io.ringhook.server.records;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The delivery of one call's post-call {@code call_ended} event: where it goes, how far it got, and
 * every attempt. Stored with the call's record, so an event still pending at a restart is sent after.
 *
 * @param url      where the event is POSTed (the number's {@code call_ended_webhook_url} when the call ended)
 * @param state    pending (another attempt is due at {@code nextAt}), delivered, or failed (gave up)
 * @param nextAt   when the next attempt is due; empty unless pending
 * @param attempts every attempt so far, in order
 */
public record CallEndedDelivery(URI url, State state, Optional<Instant> nextAt, List<Attempt> attempts) {
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

  /**
   * One POST of the event.
   *
   * @param started when it started
   * @param latency how long until the response or the failure
   * @param status  the HTTP status, when a response came
   * @param failure why it failed ({@code status}, {@code timeout}, {@code refused}, ...); empty when it got a 2xx
   */
  public record Attempt(Instant started, Duration latency, OptionalInt status, Optional<String> failure) {
    public Attempt {
      Objects.requireNonNull(started, "started");
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(failure, "failure");
    }
  }
}
