package io.ringhook.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code shutdown} section: the graceful drain on SIGTERM.
 *
 * @param grace      how long calls in progress may go on after SIGTERM before ringing ones get 503 and
 *                   answered ones BYE
 * @param retryAfter the {@code Retry-After} of the 503 that new INVITEs get while draining
 */
public record ShutdownSettings(Duration grace, Duration retryAfter) {
  public static final ShutdownSettings DEFAULTS = new ShutdownSettings(Duration.ofSeconds(30), Duration.ofSeconds(30));

  public ShutdownSettings {
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(retryAfter, "retryAfter");
  }
}
