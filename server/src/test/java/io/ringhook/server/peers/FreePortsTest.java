package io.ringhook.server.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void aPortIsHandedOutOnce() {
    // 1000 draws from 10,000 ports: without the memory of what was handed out, two would
    // coincide in all but one run in 10^21 (a server's SIP and HTTP ports once did, in CI).
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      int port = FreePorts.udpAndTcp();
      assertTrue(port >= FreePorts.LOW && port < FreePorts.HIGH, "port " + port);
      assertTrue(seen.add(port), "port " + port + " handed out twice");
    }
    assertEquals(1000, seen.size());
  }

  @Test
  void consecutivePortsDoNotOverlapEarlierOnes() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int base = FreePorts.consecutive(3, true);
      for (int p = base; p < base + 3; p++) {
        assertTrue(seen.add(p), "port " + p + " handed out twice");
      }
    }
  }
}
