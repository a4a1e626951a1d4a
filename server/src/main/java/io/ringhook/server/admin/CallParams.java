package io.ringhook.server.admin;

import io.ringhook.server.records.CallQuery;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The query parameters of {@code GET /v1/calls}, checked into a {@link CallQuery}; every problem named in one 400. */
final class CallParams {
  private static final List<String> NAMES = List.of("from", "to", "outcome", "since", "limit", "cursor");
  private static final int MAX_CURSOR_LENGTH = 512;

  private CallParams() {}

  static CallQuery parse(Map<String, List<String>> query) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, List<String>> p : query.entrySet()) {
      if (!NAMES.contains(p.getKey())) {
        problems.add("unknown parameter " + p.getKey() + Checks.hint(p.getKey(), NAMES) + "; the parameters are "
            + String.join(", ", NAMES));
      } else if (p.getValue().size() > 1) {
        problems.add(p.getKey() + " is given " + p.getValue().size() + " times: give it once");
      }
    }
    Optional<String> from = one(query, "from", Checks::callNumber, problems);
    Optional<String> to = one(query, "to", Checks::callNumber, problems);
    Optional<String> outcome = one(query, "outcome", Checks::outcome, problems);
    Optional<Instant> since = one(query, "since", s -> s, problems).flatMap(s -> instant(s, problems));
    int limit = one(query, "limit", s -> s, problems).map(s -> limit(s, problems)).orElse(CallQuery.DEFAULT_LIMIT);
    Optional<String> cursor = one(query, "cursor", s -> {
      if (s.length() > MAX_CURSOR_LENGTH) {
        throw new IllegalArgumentException("is not a cursor this server gave: pass next_cursor from the previous page");
      }
      return s;
    }, problems);
    if (!problems.isEmpty()) {
      throw ApiError.badRequest(String.join("; ", problems));
    }
    return new CallQuery(from, to, outcome, since, limit, cursor);
  }

  private static Optional<String> one(Map<String, List<String>> query, String name, UnaryOperator<String> check,
                                      List<String> problems) {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    String v = values.get(0);
    if (v.isEmpty()) {
      problems.add(name + " is empty: give a value or leave it out");
      return Optional.empty();
    }
    try {
      return Optional.of(check.apply(v));
    } catch (IllegalArgumentException e) {
      problems.add(name + " " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Beyond these the store's epoch milliseconds overflow; no call is that old or that new. */
  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private static Optional<Instant> instant(String s, List<String> problems) {
    Optional<Instant> parsed = parse(s, problems);
    if (parsed.isPresent() && (parsed.get().isBefore(EARLIEST) || parsed.get().isAfter(LATEST))) {
      problems.add("since must lie between " + EARLIEST + " and " + LATEST);
      return Optional.empty();
    }
    return parsed;
  }

  private static Optional<Instant> parse(String s, List<String> problems) {
    try {
      return Optional.of(Instant.parse(s));
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(OffsetDateTime.parse(s).toInstant());
      } catch (DateTimeParseException e2) {
        problems.add("since must be an ISO-8601 instant like 2025-01-31T10:42:00Z (or with an offset,"
            + " 2025-01-31T11:42:00+01:00)");
        return Optional.empty();
      }
    }
  }

  private static int limit(String s, List<String> problems) {
    if (s.matches("\\d{1,9}")) {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= CallQuery.MAX_LIMIT) {
        return n;
      }
    }
    problems.add("limit must be a whole number 1.." + CallQuery.MAX_LIMIT);
    return CallQuery.DEFAULT_LIMIT;
  }
}
