package io.ringhook.sip;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds on inbound SIP over TCP: how many connections may be open at once, in all and from
 * one source address, and how long a connection may stay open without sending a complete message
 * (first) or anything at all (idle). Connections from addresses outside every trunk are refused
 * when they are accepted, before any of these count.
 *
 * @param maxConnections          open inbound connections at most, from all sources together
 * @param maxPerSource            open inbound connections at most from one source address
 * @param firstMessageTimeout     a connection that has not delivered one complete SIP message by then is closed
 * @param idleTimeout             a connection with no bytes received for this long is closed
 */
public record TcpLimits(int maxConnections, int maxPerSource, Duration firstMessageTimeout, Duration idleTimeout) {
  /** What ringhook uses unless configured: room for carriers, none for a flood. */
  public static final TcpLimits DEFAULTS = new TcpLimits(1024, 64, Duration.ofSeconds(10), Duration.ofMinutes(10));

  public TcpLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    if (maxPerSource < 1 || maxPerSource > maxConnections) {
      throw new IllegalArgumentException("maxPerSource must be 1.." + maxConnections + ", got " + maxPerSource);
    }
    Objects.requireNonNull(firstMessageTimeout, "firstMessageTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (firstMessageTimeout.isNegative() || firstMessageTimeout.isZero()) {
      throw new IllegalArgumentException("firstMessageTimeout must be positive");
    }
    if (idleTimeout.compareTo(firstMessageTimeout) < 0) {
      throw new IllegalArgumentException("idleTimeout must not be shorter than firstMessageTimeout");
    }
  }
}
