package io.ringhook.server.records;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A search of call records, newest first.
 *
 * @param from    only calls from this number (exact, E.164)
 * @param to      only calls to this number (exact, E.164)
 * @param outcome only calls with this outcome
 * @param since   only calls received at or after this instant
 * @param limit   at most this many, 1..{@value #MAX_LIMIT}
 * @param cursor  the {@link CallPage#nextCursor()} of the previous page, to continue after it
 */
public record CallQuery(Optional<String> from, Optional<String> to, Optional<String> outcome,
                        Optional<Instant> since, int limit, Optional<String> cursor) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;

  public CallQuery {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(cursor, "cursor");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", got " + limit);
    }
  }

  /** The newest {@value #DEFAULT_LIMIT} calls. */
  public static CallQuery newest() {
    return new CallQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_LIMIT,
        Optional.empty());
  }
}
