package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

  @Test
  void handsOutEachEvenPortOnceThenNone() {
    PortAllocator ports = new PortAllocator(20001, 20010); // odd start: first even is 20002
    assertEquals(5, ports.capacity());
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      int port = ports.acquire();
      assertTrue(port >= 20002 && port <= 20010 && port % 2 == 0, "port " + port);
      assertTrue(seen.add(port), "handed out twice: " + port);
    }
    assertEquals(5, ports.inUse());
    assertEquals(-1, ports.acquire());
  }

  @Test
  void rotatesSoAFreedPortIsReusedLast() {
    PortAllocator ports = new PortAllocator(30000, 30006);
    int a = ports.acquire();
    assertEquals(30000, a);
    ports.release(a);
    assertEquals(30002, ports.acquire());
    assertEquals(30004, ports.acquire());
    assertEquals(30006, ports.acquire());
    assertEquals(30000, ports.acquire(), "wraps around to the freed port");
    assertEquals(-1, ports.acquire());
    ports.release(30004);
    assertEquals(30004, ports.acquire());
  }

  @Test
  void rejectsForeignAndDoubleReleases() {
    PortAllocator ports = new PortAllocator(30000, 30006);
    int port = ports.acquire();
    assertThrows(IllegalArgumentException.class, () -> ports.release(30001));
    assertThrows(IllegalArgumentException.class, () -> ports.release(30008));
    assertThrows(IllegalArgumentException.class, () -> ports.release(29998));
    ports.release(port);
    assertThrows(IllegalStateException.class, () -> ports.release(port));
    assertEquals(0, ports.inUse());
  }

  @Test
  void rejectsRangesWithoutAnEvenPort() {
    assertThrows(IllegalArgumentException.class, () -> new PortAllocator(30001, 30001));
    assertThrows(IllegalArgumentException.class, () -> new PortAllocator(30002, 30000));
    assertThrows(IllegalArgumentException.class, () -> new PortAllocator(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new PortAllocator(65534, 65536));
    assertEquals(1, new PortAllocator(65535 - 1, 65535).capacity());
  }
}
