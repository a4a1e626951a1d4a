package io.ringhook.sip;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When a new INVITE is turned away at once with 503 and {@code Retry-After}, before any webhook,
 * agent, media port or record work: the server is behind (overload), or one source sends more than
 * its share (source limit).
 *
 * @param maxQueueDelay   refuse new calls while the oldest SIP request not yet processed, or the
 *                        oldest call task not yet run, or a stage added with
 *                        {@link SipServer.Builder#alsoBehind}, has waited longer than this; zero turns
 *                        the overload check off
 * @param retryAfter      the {@code Retry-After} of both refusals (whole seconds, at least 1)
 * @param sourceRate      new INVITEs a second one source address may send, sustained; zero turns the
 *                        per-source limit off
 * @param sourceBurst     how many a source may send at once above that rate (the bucket's size)
 * @param sourceExempt    source networks (addresses or CIDR blocks) the per-source limit never applies
 *                        to, e.g. a carrier's own signalling addresses
 */
public record AdmissionSettings(Duration maxQueueDelay, Duration retryAfter, double sourceRate, int sourceBurst,
                                List<String> sourceExempt) {
  /**
   * The defaults: refuse when work waits over 200 ms (a box that keeps up answers in single-digit
   * milliseconds), 200 INVITEs a second per source with bursts of 400, nothing exempt, Retry-After 5 s.
   */
  public static final AdmissionSettings DEFAULTS =
      new AdmissionSettings(Duration.ofMillis(200), Duration.ofSeconds(5), 200, 400, List.of());
  /** Nothing is refused: both checks off. */
  public static final AdmissionSettings OFF = new AdmissionSettings(Duration.ZERO, Duration.ofSeconds(5), 0, 1,
      List.of());

  public AdmissionSettings {
    Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
    Objects.requireNonNull(retryAfter, "retryAfter");
    sourceExempt = List.copyOf(sourceExempt);
    if (maxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("maxQueueDelay must not be negative");
    }
    if (retryAfter.toSeconds() < 1) {
      throw new IllegalArgumentException("retryAfter must be at least 1s, got " + retryAfter);
    }
    if (!(sourceRate >= 0) || Double.isInfinite(sourceRate)) {
      throw new IllegalArgumentException("sourceRate must be >= 0, got " + sourceRate);
    }
    if (sourceBurst < 1) {
      throw new IllegalArgumentException("sourceBurst must be >= 1, got " + sourceBurst);
    }
  }
}
