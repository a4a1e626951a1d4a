package io.ringhook.server;

import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.Outcome;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps SIP scanners from flooding the call records: of the INVITEs refused by the trunk ACL
 * ({@code rejected_acl}), at most {@code perSecond} (with a burst of as many) are stored; the rest
 * are counted ({@code ringhook_records_suppressed_total}) and summed up in the log every so often.
 * Every other outcome always passes. The metrics count every call either way.
 */
final class ScannerFilter {
  private static final Logger LOG = LoggerFactory.getLogger(ScannerFilter.class);
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final double perSecond;
  private final LongSupplier nanoTime;
  private final LongAdder suppressed = new LongAdder();
  private double tokens;
  private long refilledAt;
  private long loggedAt;
  private long loggedCount;

  ScannerFilter(double perSecond, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
    this.tokens = perSecond;
    this.refilledAt = nanoTime.getAsLong();
    this.loggedAt = refilledAt;
  }

  /** Whether {@code record} should be stored. */
  synchronized boolean admit(CallRecord record) {
    if (!Outcome.REJECTED_ACL.value().equals(record.outcome())) {
      return true;
    }
    long now = nanoTime.getAsLong();
    tokens = Math.min(perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    suppressed.increment();
    if (now - loggedAt >= LOG_EVERY_NANOS) {
      long total = suppressed.sum();
      LOG.warn("{} records of INVITEs from outside every trunk not stored in the last {} s (more than {} a second;"
          + " a scanner?), latest from {}", total - loggedCount, (now - loggedAt) / 1_000_000_000L,
          (long) perSecond, record.source());
      loggedAt = now;
      loggedCount = total;
    }
    return false;
  }

  /** Records not stored so far. */
  long suppressed() {
    return suppressed.sum();
  }
}
