package io.ringhook.sip;

import java.util.function.LongSupplier;

/**
 * The calls in set-up: admitted and not yet answered or ended, leaving out the time they wait for the
 * webhook (a slow CRM is not load), and the rate at which set-ups finish over the last second. From the
 * two, Little's law gives the time a call admitted now would take to be set up; the admission check
 * refuses new INVITEs while that time is over {@link AdmissionSettings#maxSetupTime()} (and more than
 * {@link AdmissionSettings#minSetups()} are in set-up).
 *
 * <p>This sees work as it is admitted, where the queue delays see it only once it waits: a second at
 * twice the capacity admits twice what the server can set up before any queue shows it, and those
 * set-ups (most of a call's work: the agent's WebSocket, the 200 and its ACK) then swamp it for seconds
 * (BENCHMARKS.md, "Issue 14, session 10"). Any thread: a lock held for a few array operations, taken about
 * four times a call and twice per new INVITE.
 */
final class SetupsInFlight {
  private static final long BUCKET_NANOS = 100_000_000L;
  private static final int BUCKETS = 10;

  private final LongSupplier nanoTime;
  // Guarded by this: set-ups in flight, and those finished in each of the last BUCKETS buckets.
  private int inFlight;
  private final long[] finished = new long[BUCKETS];
  private final long[] bucketOf = new long[BUCKETS];

  SetupsInFlight(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** A call starts (or resumes) setting up. */
  synchronized void enter() {
    inFlight++;
  }

  /** A call stops setting up to wait for its webhook: not finished, not load either. */
  synchronized void pause() {
    inFlight--;
  }

  /** A call's set-up is over: answered, refused or ended. */
  synchronized void finish() {
    inFlight--;
    long bucket = nanoTime.getAsLong() / BUCKET_NANOS;
    int i = (int) Math.floorMod(bucket, (long) BUCKETS);
    if (bucketOf[i] != bucket) {
      bucketOf[i] = bucket;
      finished[i] = 0;
    }
    finished[i]++;
  }

  /** Calls in set-up now. */
  synchronized int inFlight() {
    return inFlight;
  }

  /** Set-ups finished over the last second (the current, partial tenth of a second included). */
  synchronized long finishedLastSecond() {
    long bucket = nanoTime.getAsLong() / BUCKET_NANOS;
    long sum = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucket - bucketOf[i] < BUCKETS) {
        sum += finished[i];
      }
    }
    return sum;
  }
}
