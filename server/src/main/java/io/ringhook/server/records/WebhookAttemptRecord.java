package io.ringhook.server.records;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One inbound-call webhook attempt of a call.
 *
 * @param number  1 for the first attempt, 2 for the first retry, ...
 * @param started when it started
 * @param latency how long it took, until the response, the failure or the deadline
 * @param status  the HTTP status, when a response head arrived
 * @param failure the failure reason's label (e.g. {@code timeout}, {@code status}), empty when it succeeded
 * @param detail  human-readable detail
 */
public record WebhookAttemptRecord(int number, Instant started, Duration latency, OptionalInt status,
                                   Optional<String> failure, String detail) {
  public WebhookAttemptRecord {
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(failure, "failure");
    detail = detail == null ? "" : detail;
  }
}
