package io.ringhook.server.config;

import io.ringhook.sip.Outcome;
import io.ringhook.webhook.WebhookClient;
import io.ringhook.webhook.WebhookPolicy;
import io.ringhook.webhook.WebhookTargets;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the inbound call webhook is called and what a failure means: the {@code webhook} section, or
 * one number's effective settings (its overrides over that section).
 *
 * @param timeout          one deadline per attempt: connect, TLS, request and the whole response
 * @param retries          attempts after the first (0..10), so at most {@code retries + 1} requests
 * @param backoff          the pause before each retry; the last entry repeats when there are more
 *                         retries than entries; empty only when {@code retries} is 0
 * @param maxResponseBytes a larger response body fails the attempt
 * @param failureResponse  the SIP final response (400..699) when every attempt failed and the call is rejected
 * @param caFile           a PEM file of extra trusted CA certificates for private endpoints (on top
 *                         of the JDK trust store)
 * @param maxConnectionsPerOrigin the most connections open to one webhook origin at once (the
 *                         {@code webhook} section only: the client's pools are shared by every number)
 * @param h2c              HTTP/2 by prior knowledge to an {@code http://} URL (a number's
 *                         {@code webhook_h2c}; the section's is always false)
 * @param allowPrivate     whether webhooks may reach loopback and private networks (section-wide;
 *                         link-local and metadata addresses are never allowed)
 * @param onFailure        what a call whose every attempt failed gets: rejected, or connected anyway
 * @param fallbackAgent    the agent such a connected call goes to; empty for the number's own agent
 * @param include          extra fields of the webhook body; empty for the documented three exactly
 * @param callEndedUrl     where the post-call {@code call_ended} event is POSTed; empty for none
 * @param circuitBreaker   the per-origin circuit breaker (the section's, for every origin); empty for off
 */
public record WebhookSettings(Duration timeout, int retries, List<Duration> backoff, int maxResponseBytes,
                              int failureResponse, Optional<Path> caFile, int maxConnectionsPerOrigin,
                              boolean h2c, boolean allowPrivate, OnFailure onFailure, Optional<String> fallbackAgent,
                              Set<Include> include, Optional<URI> callEndedUrl,
                              Optional<CircuitBreakerSettings> circuitBreaker) {
  /**
   * The defaults: the webhook client's ({@link WebhookPolicy#DEFAULT}, {@link
   * WebhookClient#DEFAULT_MAX_CONNECTIONS_PER_ORIGIN}), 480, no CA file, no h2c, private networks allowed,
   * reject, no extras.
   */
  public static final WebhookSettings DEFAULTS = new WebhookSettings(WebhookPolicy.DEFAULT.timeout(),
      WebhookPolicy.DEFAULT.retries(), WebhookPolicy.DEFAULT.backoff(), WebhookPolicy.DEFAULT.maxResponseBytes(),
      Outcome.WEBHOOK_FAILED.status(), Optional.empty(), WebhookClient.DEFAULT_MAX_CONNECTIONS_PER_ORIGIN, false, true);

  public WebhookSettings {
    Objects.requireNonNull(timeout, "timeout");
    backoff = List.copyOf(backoff);
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(onFailure, "onFailure");
    Objects.requireNonNull(fallbackAgent, "fallbackAgent");
    include = Set.copyOf(include);
    Objects.requireNonNull(callEndedUrl, "callEndedUrl");
    Objects.requireNonNull(circuitBreaker, "circuitBreaker");
  }

  /** Settings that reject a failed call, add nothing to the body and send no post-call event. */
  public WebhookSettings(Duration timeout, int retries, List<Duration> backoff, int maxResponseBytes,
                         int failureResponse, Optional<Path> caFile, int maxConnectionsPerOrigin, boolean h2c,
                         boolean allowPrivate) {
    this(timeout, retries, backoff, maxResponseBytes, failureResponse, caFile, maxConnectionsPerOrigin, h2c,
        allowPrivate, OnFailure.REJECT, Optional.empty(), Set.of(), Optional.empty(), Optional.empty());
  }

  /** Settings that allow private networks. */
  public WebhookSettings(Duration timeout, int retries, List<Duration> backoff, int maxResponseBytes,
                         int failureResponse, Optional<Path> caFile, int maxConnectionsPerOrigin, boolean h2c) {
    this(timeout, retries, backoff, maxResponseBytes, failureResponse, caFile, maxConnectionsPerOrigin, h2c, true);
  }

  /** The targets these settings allow webhooks to reach. */
  public WebhookTargets targets() {
    return WebhookTargets.allowPrivate(allowPrivate);
  }

  /** How the webhook client tries each call (the loader has checked the values against its limits). */
  public WebhookPolicy policy() {
    return new WebhookPolicy(timeout, retries, backoff, maxResponseBytes);
  }

  /** What happens to a call whose webhook gave no usable answer ({@code on_webhook_failure}). */
  public enum OnFailure {
    /** Refuse it with {@code failure_response} (480 by default): the seed's behaviour. */
    REJECT,
    /** Connect it to the fallback (or the number's) agent, without variables, telling the agent why. */
    CONNECT;

    /** The name in the file: {@code reject}, {@code connect}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** An extra field of the webhook body ({@code webhook_include}). */
  public enum Include {
    /** The INVITE headers the trunk lets through, as an object. */
    SIP_HEADERS,
    /** ringhook's call id. */
    CALL_ID,
    /** The trunk's name. */
    TRUNK;

    /** The field's name in the body and the file: {@code sip_headers}, {@code call_id}, {@code trunk}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
