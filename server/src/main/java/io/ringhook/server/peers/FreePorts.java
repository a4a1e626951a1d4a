package io.ringhook.server.peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A picker of free loopback ports for test peers that cannot bind port 0 themselves.
 *
 * <p>Ports come from {@code [10000, 20000)}: below the Linux ephemeral range (32768+), so an
 * outgoing connection never takes them between the probe and the peer's bind, and clear of the
 * RTP ranges the peers use ({@code 30000-31999} for baresip) and the server's default
 * {@code 20000-29999}. A probe is only a hint: another process may still bind the port before
 * the peer does, so callers retry on "Address already in use". Within one JVM a port is handed
 * out once: two probes in a row (a server's SIP and HTTP ports) would otherwise both find the
 * same still-unbound port free, one time in ten thousand.
 */
public final class FreePorts {
  static final int LOW = 10000;
  static final int HIGH = 20000;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Set<Integer> HANDED_OUT = new HashSet<>(); // guarded by the class

  private FreePorts() {}

  /** Returns a port free for both UDP and TCP on 127.0.0.1. */
  public static int udpAndTcp() {
    return consecutive(1, true);
  }

  /**
   * Returns the first of {@code count} consecutive ports free for TCP on 127.0.0.1, the first
   * one also free for UDP when {@code udpOnFirst} (baresip's SIP port is UDP+TCP and its TLS
   * listener takes the next port).
   */
  public static int consecutive(int count, boolean udpOnFirst) {
    if (count < 1 || count > 16) {
      throw new IllegalArgumentException("count must be 1..16, was " + count);
    }
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(LOW, HIGH - count);
      if (udpOnFirst && !udpFree(base)) {
        continue;
      }
      if (handOut(base, count)) {
        boolean all = true;
        for (int p = base; p < base + count && all; p++) {
          all = tcpFree(p);
        }
        if (all) {
          return base;
        }
      }
    }
    throw new IllegalStateException("no " + count + " free consecutive ports in [" + LOW + ", " + HIGH + ")");
  }

  /** Claims {@code count} ports from {@code base} unless one of them was handed out before. */
  private static synchronized boolean handOut(int base, int count) {
    for (int p = base; p < base + count; p++) {
      if (HANDED_OUT.contains(p)) {
        return false;
      }
    }
    for (int p = base; p < base + count; p++) {
      HANDED_OUT.add(p);
    }
    return true;
  }

  static boolean udpFree(int port) {
    try (DatagramSocket s = new DatagramSocket(null)) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(LOOPBACK, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean tcpFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      // Without SO_REUSEADDR a port still in TIME_WAIT counts as busy, as it will for baresip.
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(LOOPBACK, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
