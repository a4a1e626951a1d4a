package io.ringhook.sip;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first check of a new INVITE, before it costs anything: is the server behind (the oldest
 * unprocessed work waited over {@link AdmissionSettings#maxQueueDelay()}, or the calls in set-up would
 * take over {@link AdmissionSettings#maxSetupTime()} to finish), or is this source over its rate? Either
 * answer is 503 with {@code Retry-After}, counted and logged at most once a second with a count, never a
 * call record: under overload, a record and a log line per refused INVITE would be the very work the
 * refusal saves.
 *
 * <p>Only new INVITEs reach it: a retransmitted INVITE is absorbed by its server transaction
 * (answered with the same 100 or 503) before the listener, so a call already in progress or
 * already refused never counts as new load twice (RFC 6357 section 3's collapse).
 */
final class Admission {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  private static final long LOG_EVERY_NANOS = 1_000_000_000L;

  /** Why an INVITE was turned away (the {@code reason} tag of {@code ringhook_calls_rejected_total}). */
  enum Reason { OVERLOAD, SOURCE_LIMIT }

  private final AdmissionSettings settings;
  private final long maxDelayMillis;
  private final QueueDelay delay;
  private final long maxSetupMillis;
  private final SetupsInFlight setups;
  private final SourceLimiter sources;
  private final LongSupplier nanoTime;
  private final LongAdder overload = new LongAdder();
  private final LongAdder sourceLimit = new LongAdder();
  // Guarded by this: the refusals since the last log line.
  private long unloggedOverload;
  private long unloggedSource;
  private long loggedAt;
  private long worstDelay;
  private int worstInFlight;
  private long finishedThen;
  private InetAddress lastSource;

  Admission(AdmissionSettings settings, QueueDelay delay, SetupsInFlight setups, SourceLimiter sources,
            LongSupplier nanoTime) {
    this.settings = settings;
    this.maxDelayMillis = settings.maxQueueDelay().toMillis();
    this.delay = delay;
    this.maxSetupMillis = settings.maxSetupTime().toMillis();
    this.setups = setups;
    this.sources = sources;
    this.nanoTime = nanoTime;
    this.loggedAt = nanoTime.getAsLong() - LOG_EVERY_NANOS;
  }

  /** Why this new INVITE must be refused at once, or empty to go on with it. */
  Optional<Reason> check(InetAddress source) {
    if (maxDelayMillis > 0) {
      long waited = delay.millis();
      if (waited > maxDelayMillis) {
        overload.increment();
        refused(Reason.OVERLOAD, source, waited, 0, 0);
        return Optional.of(Reason.OVERLOAD);
      }
    }
    if (maxSetupMillis > 0) {
      int inFlight = setups.inFlight();
      if (inFlight > settings.minSetups()) {
        // Little's law: at the rate set-ups finished over the last second, those in flight take
        // inFlight / finished seconds to get through; a call admitted now waits behind them.
        long finished = setups.finishedLastSecond();
        if (inFlight * 1000L > finished * maxSetupMillis) {
          overload.increment();
          refused(Reason.OVERLOAD, source, 0, inFlight, finished);
          return Optional.of(Reason.OVERLOAD);
        }
      }
    }
    if (!sources.admit(source)) {
      sourceLimit.increment();
      refused(Reason.SOURCE_LIMIT, source, 0, 0, 0);
      return Optional.of(Reason.SOURCE_LIMIT);
    }
    return Optional.empty();
  }

  /** The {@code Retry-After} of a refusal, in seconds. */
  int retryAfterSeconds() {
    return (int) Math.min(Integer.MAX_VALUE, settings.retryAfter().toSeconds());
  }

  /** INVITEs refused so far for this reason. */
  long refused(Reason reason) {
    return (reason == Reason.OVERLOAD ? overload : sourceLimit).sum();
  }

  private synchronized void refused(Reason reason, InetAddress source, long waited, int inFlight, long finished) {
    if (reason == Reason.OVERLOAD) {
      unloggedOverload++;
      worstDelay = Math.max(worstDelay, waited);
      if (inFlight > worstInFlight) {
        worstInFlight = inFlight;
        finishedThen = finished;
      }
    } else {
      unloggedSource++;
      lastSource = source;
    }
    long now = nanoTime.getAsLong();
    if (now - loggedAt < LOG_EVERY_NANOS) {
      return;
    }
    if (unloggedOverload > 0) {
      StringBuilder why = new StringBuilder();
      if (worstDelay > 0) {
        why.append("oldest waiting work ").append(worstDelay).append(" ms, limit ").append(maxDelayMillis).append(" ms");
      }
      if (worstInFlight > 0) {
        why.append(why.isEmpty() ? "" : "; ").append(worstInFlight).append(" calls in set-up, ").append(finishedThen)
            .append(" set-ups finished in the last second, limit ").append(maxSetupMillis).append(" ms of set-up");
      }
      LOG.warn("overload: refused {} new INVITEs with 503 in the last {} ms ({})", unloggedOverload,
          (now - loggedAt) / 1_000_000, why);
    }
    if (unloggedSource > 0) {
      LOG.warn("source limit: refused {} new INVITEs with 503 in the last {} ms (over {}/s per source), latest from {}",
          unloggedSource, (now - loggedAt) / 1_000_000, settings.sourceRate(), lastSource.getHostAddress());
    }
    unloggedOverload = 0;
    unloggedSource = 0;
    worstDelay = 0;
    worstInFlight = 0;
    finishedThen = 0;
    loggedAt = now;
  }
}
