package io.ringhook.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code webhook.circuit_breaker} section: when to stop asking a webhook origin that keeps
 * failing. Absent means off (every call tries the whole retry schedule, as the seed promises).
 *
 * @param failures failed attempts in a row (2..1000) that open an origin's breaker
 * @param window   those failures must fall within this span (from the first of them)
 * @param coolDown how long an open breaker skips calls before one probe call may try again
 */
public record CircuitBreakerSettings(int failures, Duration window, Duration coolDown) {
  /** The values used for keys the section leaves out: 5 failures within 30s, 30s cool-down. */
  public static final CircuitBreakerSettings DEFAULTS =
      new CircuitBreakerSettings(5, Duration.ofSeconds(30), Duration.ofSeconds(30));

  public CircuitBreakerSettings {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(coolDown, "coolDown");
  }
}
