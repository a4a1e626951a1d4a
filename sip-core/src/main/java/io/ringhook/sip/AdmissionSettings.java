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
 * @param maxSetupTime    overload too: refuse new calls while the calls in set-up (admitted, not yet
 *                        answered or ended, not waiting for their webhook) would take longer than this to
 *                        finish at the rate set-ups finished over the last second; zero turns it off
 * @param minSetups       that check never refuses while this many calls or fewer are in set-up (a server
 *                        just started, or idle, has finished none yet)
 */
public record AdmissionSettings(Duration maxQueueDelay, Duration retryAfter, double sourceRate, int sourceBurst,
                                List<String> sourceExempt, Duration maxSetupTime, int minSetups) {
  /**
   * The defaults: refuse when work waits over 200 ms (a box that keeps up answers in single-digit
   * milliseconds) or when the calls in set-up would take over 1 s to finish (with more than 200 of them),
   * 200 INVITEs a second per source with bursts of 400, nothing exempt, Retry-After 5 s.
   */
  public static final AdmissionSettings DEFAULTS =
      new AdmissionSettings(Duration.ofMillis(200), Duration.ofSeconds(5), 200, 400, List.of(), Duration.ofSeconds(1),
          200);
  /** Nothing is refused: every check off. */
  public static final AdmissionSettings OFF = new AdmissionSettings(Duration.ZERO, Duration.ofSeconds(5), 0, 1,
      List.of(), Duration.ZERO, 0);

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
    Objects.requireNonNull(maxSetupTime, "maxSetupTime");
    if (maxSetupTime.isNegative()) {
      throw new IllegalArgumentException("maxSetupTime must not be negative");
    }
    if (minSetups < 0) {
      throw new IllegalArgumentException("minSetups must be >= 0, got " + minSetups);
    }
  }
}
