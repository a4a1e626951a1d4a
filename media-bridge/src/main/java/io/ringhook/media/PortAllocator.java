package io.ringhook.media;

import java.util.BitSet;

/**
 * Hands out even UDP ports from a configured range, one per call, RTP convention (RFC 3550
 * section 11: RTP on an even port, RTCP on the next odd one).
 *
 * <p>A rotating cursor spreads successive calls over the range so that a port freed a moment ago
 * is the last to be reused: late packets of an ended call then do not land in a new one. The
 * allocator only books ports; whether the operating system lets us bind one is found out by the
 * caller, which releases a port it could not bind and asks for the next. Thread-safe; every
 * method is a few instructions under the lock.
 */
final class PortAllocator {
  private final int first;
  private final int count;
  private final BitSet used;
  private int cursor;
  private int inUse;

  /**
   * @param portMin the lowest port of the range (an odd value starts at the next even port)
   * @param portMax the highest port of the range
   */
  PortAllocator(int portMin, int portMax) {
    if (portMin < 1 || portMax > 65535 || portMin > portMax) {
      throw new IllegalArgumentException(
          "RTP port range must satisfy 1 <= port_min <= port_max <= 65535, got " + portMin + ".." + portMax);
    }
    this.first = portMin + (portMin & 1);
    if (first > portMax) {
      throw new IllegalArgumentException("RTP port range " + portMin + ".." + portMax + " holds no even port");
    }
    this.count = (portMax - first) / 2 + 1;
    this.used = new BitSet(count);
  }

  /** How many even ports the range holds. */
  int capacity() {
    return count;
  }

  /** Books the next free port after the previous one handed out, or returns -1 when all are booked. */
  synchronized int acquire() {
    if (inUse == count) {
      return -1;
    }
    int index = used.nextClearBit(cursor);
    if (index >= count) {
      index = used.nextClearBit(0);
    }
    used.set(index);
    inUse++;
    cursor = index + 1 == count ? 0 : index + 1;
    return first + 2 * index;
  }

  /**
   * Returns a port to the pool.
   *
   * @throws IllegalArgumentException when {@code port} is not one this allocator hands out
   * @throws IllegalStateException    when {@code port} is not booked (a double release is a bug)
   */
  synchronized void release(int port) {
    int index = indexOf(port);
    if (!used.get(index)) {
      throw new IllegalStateException("RTP port " + port + " released twice");
    }
    used.clear(index);
    inUse--;
  }

  /** How many ports are booked now. */
  synchronized int inUse() {
    return inUse;
  }

  private int indexOf(int port) {
    int offset = port - first;
    if (offset < 0 || (offset & 1) != 0 || offset / 2 >= count) {
      throw new IllegalArgumentException("port " + port + " is not an even port of this range");
    }
    return offset / 2;
  }
}
