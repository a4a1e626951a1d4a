package io.ringhook.server.config;

import io.ringhook.webhook.WebhookClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the inbound call webhook is called: the {@code webhook} section, or one number's effective
 * settings (its overrides over that section).
 *
 * @param timeout          one deadline per attempt: connect, TLS, request and the whole response
 * @param retries          attempts after the first (0..10), so at most {@code retries + 1} requests
 * @param backoff          the pause before each retry; the last entry repeats when there are more
 *                         retries than entries; empty only when {@code retries} is 0
 * @param maxResponseBytes a larger response body fails the attempt
 * @param failureResponse  the SIP final response (400..699) when every attempt failed
 * @param caFile           a PEM file of extra trusted CA certificates for private endpoints (on top
 *                         of the JDK trust store)
 * @param maxConnectionsPerOrigin the most connections open to one webhook origin at once (the
 *                         {@code webhook} section only: the client's pools are shared by every number)
 * @param h2c              HTTP/2 by prior knowledge to an {@code http://} URL (a number's
 *                         {@code webhook_h2c}; the section's is always false)
 */
public record WebhookSettings(Duration timeout, int retries, List<Duration> backoff, int maxResponseBytes,
                              int failureResponse, Optional<Path> caFile, int maxConnectionsPerOrigin,
                              boolean h2c) {
  /** The defaults: 10s, 3 retries, backoff 250ms, 500ms, 1s, 64 KiB, 480, no CA file, 16384, no h2c. */
  public static final WebhookSettings DEFAULTS = new WebhookSettings(Duration.ofSeconds(10), 3,
      List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)), 65536, 480,
      Optional.empty(), WebhookClient.DEFAULT_MAX_CONNECTIONS_PER_ORIGIN, false);

  public WebhookSettings {
    Objects.requireNonNull(timeout, "timeout");
    backoff = List.copyOf(backoff);
    Objects.requireNonNull(caFile, "caFile");
  }
}
