package io.ringhook.sip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * A token bucket of new INVITEs per source address. The buckets live in a bounded map: a flood
 * from spoofed, ever-changing sources evicts buckets (each new source starts with a full bucket)
 * instead of growing memory; the overload check is what protects the server from that flood.
 */
final class SourceLimiter {
  /** Sources remembered at once; an idle source's bucket is full again after burst / rate seconds anyway. */
  static final int MAX_SOURCES = 10_000;

  private final double perNano;
  private final double burst;
  private final List<TrunkAcl.Cidr> exempt;
  private final Ticker ticker;
  private final Cache<InetAddress, Bucket> buckets;

  /**
   * @param rate   tokens a second; zero means no limit
   * @param burst  the bucket's size
   * @param exempt networks never limited, as {@link AdmissionSettings#sourceExempt()}
   * @param ticker nanoseconds, for the refill and the map's expiry
   */
  SourceLimiter(double rate, int burst, List<String> exempt, Ticker ticker) {
    this.perNano = rate / 1e9;
    this.burst = burst;
    this.exempt = exempt.stream().map(e -> TrunkAcl.Cidr.parse("source_exempt", e)).toList();
    this.ticker = ticker;
    long idle = rate > 0 ? (long) Math.ceil(burst / rate * 1e9) : 1;
    this.buckets = Caffeine.newBuilder().maximumSize(MAX_SOURCES).ticker(ticker)
        .expireAfterAccess(Duration.ofNanos(Math.max(idle, 1_000_000_000L))).build();
  }

  /** Whether a new INVITE from this source is within its limit (and takes a token if so). */
  boolean admit(InetAddress source) {
    if (perNano == 0) {
      return true;
    }
    byte[] address = TrunkAcl.mapped(source.getAddress());
    for (TrunkAcl.Cidr cidr : exempt) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    long now = ticker.read();
    return buckets.get(source, s -> new Bucket(burst, now)).take(now, perNano, burst);
  }

  /** Sources with a bucket now (after {@link #cleanUp()}, exact). */
  long sources() {
    return buckets.estimatedSize();
  }

  /** Runs pending evictions now (they otherwise run a little later, on the map's own schedule). */
  void cleanUp() {
    buckets.cleanUp();
  }

  /** One source's tokens, refilled lazily on each take. */
  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    synchronized boolean take(long now, double perNano, double burst) {
      tokens = Math.min(burst, tokens + Math.max(0, now - at) * perNano);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
