package io.ringhook.server.records;

import io.ringhook.sip.CallDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Call records for the tests. */
final class Samples {
  private Samples() {}

  static final Instant T0 = Instant.parse("2026-03-01T10:42:00.123Z");

  /** A connected call with every optional field present, three variables and three attempts. */
  static CallRecord full(String callId, Instant received) {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("zeta", "last letter first");
    variables.put("customer_name", "Ada \"Countess\" Lovelace");
    variables.put("alpha", "{\"nested\":[1,2]}");
    List<CallDecision.Attempt> attempts = List.of(
        new CallDecision.Attempt(1, received.plusMillis(5), Duration.ofMillis(10_000), OptionalInt.empty(),
            Optional.of("timeout"), "no response within 10s"),
        new CallDecision.Attempt(2, received.plusMillis(10_300), Duration.ofMillis(12), OptionalInt.of(500),
            Optional.of("status"), "HTTP 500"),
        new CallDecision.Attempt(3, received.plusMillis(10_900), Duration.ofMillis(87), OptionalInt.of(200),
            Optional.empty(), ""));
    return new CallRecord(callId, callId + "@carrier.example", "carrier-a", "203.0.113.7:5060", "+12345678912",
        "+12345678913", received, Optional.of(received.plusMillis(2)), Optional.of(received.plusMillis(11_000)),
        Optional.of(received.plusMillis(11_250)), received.plusSeconds(95), "connected", 200, "caller",
        "BYE from the caller", variables, Optional.of("support-bot"), attempts);
  }

  /** A call refused before anything happened: every optional empty, no variables, no attempts. */
  static CallRecord bare(String callId, Instant received, String from, String to, String outcome) {
    return new CallRecord(callId, "", "", "198.51.100.1:5060", from, to, received, Optional.empty(),
        Optional.empty(), Optional.empty(), received.plusMillis(3), outcome, 403, "ringhook", "source not allowed",
        Map.of(), Optional.empty(), List.of());
  }
}
