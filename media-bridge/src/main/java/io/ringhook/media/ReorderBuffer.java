package io.ringhook.media;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The inbound jitter stage: puts RTP packets back in sequence order, drops duplicates and packets
 * that come too late, and gives up on a missing packet after a short wait.
 *
 * <p>In-order packets pass straight through, so a clean stream gets no added delay. When a packet
 * is missing, the ones after it are held until either the gap fills, {@code depth} packets are
 * waiting, or the oldest has waited {@code maxWaitNanos}; then the gap is declared lost and the
 * held packets are delivered with {@code lostBefore} saying how many went missing. Sequence
 * numbers are extended past their 16-bit wrap; an SSRC change or a jump larger than RFC 3550
 * appendix A.1's MAX_DROPOUT/MAX_MISORDER restarts the stream (held packets are delivered first).
 * Not thread-safe: it lives on the endpoint's event loop.
 */
final class ReorderBuffer {
  static final int MAX_MISORDER = 100;
  static final int MAX_DROPOUT = 3000;
  private static final int SEEN_WINDOW = 128;

  /** Where packets go, in order. */
  @FunctionalInterface
  interface Sink {
    void deliver(RtpPacket packet, int lostBefore);
  }

  private record Held(RtpPacket packet, long arrivedNanos) {
  }

  private final int depth;
  private final long maxWaitNanos;
  private final TreeMap<Long, Held> held = new TreeMap<>();
  private final long[] seen = new long[SEEN_WINDOW];
  private boolean synced;
  private long ssrc;
  private long nextExt;
  private long delivered;
  private long duplicates;
  private long late;
  private long lost;
  private long restarts;

  /**
   * @param depth        how many packets may wait behind a gap before it is declared lost (>= 1)
   * @param maxWaitNanos how long a packet may wait behind a gap (> 0)
   */
  ReorderBuffer(int depth, long maxWaitNanos) {
    if (depth < 1 || depth > MAX_MISORDER) {
      throw new IllegalArgumentException("depth must be 1.." + MAX_MISORDER + ", got " + depth);
    }
    if (maxWaitNanos <= 0) {
      throw new IllegalArgumentException("maxWaitNanos must be > 0, got " + maxWaitNanos);
    }
    this.depth = depth;
    this.maxWaitNanos = maxWaitNanos;
    Arrays.fill(seen, Long.MIN_VALUE);
  }

  /** Accepts one packet that arrived at {@code nowNanos}; delivers whatever is now in order. */
  void offer(RtpPacket packet, long nowNanos, Sink sink) {
    if (synced && packet.ssrc() != ssrc) {
      restart(packet, sink);
    } else if (!synced) {
      synced = true;
      ssrc = packet.ssrc();
      nextExt = packet.sequence();
    }
    int delta = (short) (packet.sequence() - (int) (nextExt & 0xFFFF));
    if (delta < 0 && delta >= -MAX_MISORDER) {
      long ext = nextExt + delta;
      if (seen[slot(ext)] == ext) {
        duplicates++;
      } else {
        late++;
      }
      return;
    }
    if (delta < 0 || delta >= MAX_DROPOUT) {
      restart(packet, sink);
      delta = 0;
    }
    long ext = nextExt + delta;
    if (held.putIfAbsent(ext, new Held(packet, nowNanos)) != null) {
      duplicates++;
      return;
    }
    drain(sink, 0);
    while (held.size() > depth) {
      skipGap(sink);
    }
  }

  /** Gives up on gaps whose followers have waited long enough; call it on every pacing tick. */
  void poll(long nowNanos, Sink sink) {
    while (!held.isEmpty() && nowNanos - oldestArrival() >= maxWaitNanos) {
      skipGap(sink);
    }
  }

  /** Delivers everything held, in order, declaring the gaps lost. */
  void flush(Sink sink) {
    while (!held.isEmpty()) {
      skipGap(sink);
    }
  }

  /** Drops everything held without delivering it. */
  void clear() {
    held.clear();
  }

  long delivered() {
    return delivered;
  }

  long duplicates() {
    return duplicates;
  }

  long late() {
    return late;
  }

  long lost() {
    return lost;
  }

  long restarts() {
    return restarts;
  }

  private void restart(RtpPacket packet, ReorderBuffer.Sink sink) {
    flush(sink);
    restarts++;
    ssrc = packet.ssrc();
    nextExt = packet.sequence();
    Arrays.fill(seen, Long.MIN_VALUE);
  }

  private void skipGap(Sink sink) {
    long first = held.firstKey();
    int gap = (int) (first - nextExt);
    lost += gap;
    nextExt = first;
    drain(sink, gap);
  }

  private void drain(Sink sink, int lostBeforeFirst) {
    int lostBefore = lostBeforeFirst;
    while (!held.isEmpty() && held.firstKey() == nextExt) {
      Map.Entry<Long, Held> entry = held.pollFirstEntry();
      seen[slot(nextExt)] = nextExt;
      nextExt++;
      delivered++;
      sink.deliver(entry.getValue().packet(), lostBefore);
      lostBefore = 0;
    }
  }

  private long oldestArrival() {
    long oldest = Long.MAX_VALUE;
    for (Held h : held.values()) {
      oldest = Math.min(oldest, h.arrivedNanos());
    }
    return oldest;
  }

  private static int slot(long ext) {
    return (int) Math.floorMod(ext, (long) SEEN_WINDOW);
  }
}
