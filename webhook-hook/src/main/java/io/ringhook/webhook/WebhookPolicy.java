package io.ringhook.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How hard to try one inbound call webhook: the deadline of each attempt, how many retries, the
 * pause before each retry and the largest response body accepted.
 *
 * <p>The fields map one to one to the {@code webhook:} YAML keys ({@code timeout}, {@code retries},
 * {@code backoff}, {@code max_response_bytes}). Values are checked here, so a policy that exists
 * is a sane one.
 *
 * @param timeout          one deadline per attempt, covering connect, TLS, request and the whole
 *                         response; from 1 ms to 1 hour
 * @param retries          attempts after the first, 0 to {@value #MAX_RETRIES}
 * @param backoff          the pause before retry 1, 2, ...; the last entry repeats; each from 0 to
 *                         1 hour; empty means no pause
 * @param maxResponseBytes the largest response body accepted, 1 byte to 16 MiB
 */
public record WebhookPolicy(
    Duration timeout, int retries, List<Duration> backoff, int maxResponseBytes) {

  public static final int MAX_RETRIES = 10;
  public static final int MAX_RESPONSE_BYTES_LIMIT = 16 * 1024 * 1024;
  /** The longest timeout and backoff entry accepted (the configuration's limit too). */
  public static final Duration MAX_DURATION = Duration.ofHours(1);

  /** The documented defaults: 10 s per attempt, 3 retries, 250 ms / 500 ms / 1 s, 64 KiB. */
  public static final WebhookPolicy DEFAULT =
      new WebhookPolicy(
          Duration.ofSeconds(10),
          3,
          List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)),
          65536);

  public WebhookPolicy {
    Objects.requireNonNull(timeout, "timeout must not be null");
    Objects.requireNonNull(backoff, "backoff must not be null");
    if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("timeout must be between 1ms and 1h, got " + timeout);
    }
    if (retries < 0 || retries > MAX_RETRIES) {
      throw new IllegalArgumentException(
          "retries must be between 0 and " + MAX_RETRIES + ", got " + retries);
    }
    for (int i = 0; i < backoff.size(); i++) {
      Duration d = backoff.get(i);
      if (d == null) {
        throw new IllegalArgumentException("backoff[" + i + "] must not be null");
      }
      if (d.isNegative() || d.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "backoff[" + i + "] must be between 0 and 1h, got " + d);
      }
    }
    if (maxResponseBytes < 1 || maxResponseBytes > MAX_RESPONSE_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "max_response_bytes must be between 1 and " + MAX_RESPONSE_BYTES_LIMIT + ", got "
              + maxResponseBytes);
    }
    backoff = List.copyOf(backoff);
  }

  /** The most attempts this policy allows: the first one plus the retries. */
  public int maxAttempts() {
    return retries + 1;
  }

  /**
   * The pause before the given attempt: the backoff entry for it, the last entry past the end,
   * zero when the backoff is empty.
   *
   * @param attempt the attempt about to start, from 2 to {@link #maxAttempts()}
   */
  public Duration backoffBefore(int attempt) {
    if (attempt < 2 || attempt > maxAttempts()) {
      throw new IllegalArgumentException(
          "attempt must be between 2 and " + maxAttempts() + ", got " + attempt);
    }
    return backoff.isEmpty()
        ? Duration.ZERO
        : backoff.get(Math.min(attempt - 2, backoff.size() - 1));
  }

  public WebhookPolicy withTimeout(Duration newTimeout) {
    return new WebhookPolicy(newTimeout, retries, backoff, maxResponseBytes);
  }

  public WebhookPolicy withRetries(int newRetries) {
    return new WebhookPolicy(timeout, newRetries, backoff, maxResponseBytes);
  }

  public WebhookPolicy withBackoff(List<Duration> newBackoff) {
    return new WebhookPolicy(timeout, retries, newBackoff, maxResponseBytes);
  }

  public WebhookPolicy withMaxResponseBytes(int newMaxResponseBytes) {
    return new WebhookPolicy(timeout, retries, backoff, newMaxResponseBytes);
  }
}
