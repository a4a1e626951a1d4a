package io.ringhook.media;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of every RTP endpoint of one {@link RtpEndpoints} pool since it was created, for
 * metrics: packets in and out, lost, late, duplicates, and the packets refused.
 *
 * <p>Each endpoint adds what it counted every fifth 20 ms tick and once more when it closes, so the
 * totals trail the wire by at most 100 ms and cost the packet path nothing. Readable from any
 * thread; each value only grows.
 */
public final class RtpTotals {
  private final LongAdder packetsIn = new LongAdder();
  private final LongAdder packetsOut = new LongAdder();
  private final LongAdder lost = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LongAdder foreignSource = new LongAdder();
  private final LongAdder unexpectedType = new LongAdder();
  private final LongAdder dtmfDigits = new LongAdder();
  private final LongAdder outboundQueueFull = new LongAdder();
  private final LongAdder outboundStale = new LongAdder();

  RtpTotals() {
  }

  /** Valid RTP packets accepted from callers. */
  public long packetsIn() {
    return packetsIn.sum();
  }

  /** RTP packets sent to callers. */
  public long packetsOut() {
    return packetsOut.sum();
  }

  /** Sequence numbers skipped because their packet never came in time (gaps). */
  public long lost() {
    return lost.sum();
  }

  /** Packets that arrived after their place in the stream had passed, and were dropped. */
  public long late() {
    return late.sum();
  }

  /** Packets received twice (the copy is dropped). */
  public long duplicates() {
    return duplicates.sum();
  }

  /** Datagrams on RTP ports that were not valid RTP. */
  public long malformed() {
    return malformed.sum();
  }

  /** Packets from an address other than the one a stream is latched to (dropped). */
  public long foreignSource() {
    return foreignSource.sum();
  }

  /** Packets with a payload type that was not negotiated (dropped). */
  public long unexpectedType() {
    return unexpectedType.sum();
  }

  /** DTMF key presses received. */
  public long dtmfDigits() {
    return dtmfDigits.sum();
  }

  /** Bytes of agent audio dropped because a call's outgoing queue was full (over a minute). */
  public long outboundQueueFull() {
    return outboundQueueFull.sum();
  }

  /**
   * Bytes of agent audio dropped by the latency bound: their 20 ms slot had passed more than
   * 100 ms ago when the pacer ran again (a stall), so they were dropped rather than played late.
   */
  public long outboundStale() {
    return outboundStale.sum();
  }

  /** Adds what one endpoint counted between two of its snapshots. */
  void add(RtpStats before, RtpStats now) {
    add(packetsIn, now.packetsReceived() - before.packetsReceived());
    add(packetsOut, now.packetsSent() - before.packetsSent());
    add(lost, now.lost() - before.lost());
    add(late, now.late() - before.late());
    add(duplicates, now.duplicates() - before.duplicates());
    add(malformed, now.malformed() - before.malformed());
    add(foreignSource, now.foreignSource() - before.foreignSource());
    add(unexpectedType, now.unexpectedType() - before.unexpectedType());
    add(dtmfDigits, now.dtmfDigits() - before.dtmfDigits());
    add(outboundQueueFull, now.outboundDropped() - before.outboundDropped());
    add(outboundStale, now.outboundStale() - before.outboundStale());
  }

  private static void add(LongAdder adder, long delta) {
    if (delta != 0) {
      adder.add(delta);
    }
  }

  @Override
  public String toString() {
    return "RtpTotals[in=" + packetsIn() + ", out=" + packetsOut() + ", lost=" + lost() + ", late="
        + late() + ", duplicates=" + duplicates() + ", malformed=" + malformed() + ", outboundStale="
        + outboundStale() + "]";
  }
}
