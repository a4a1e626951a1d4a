package io.ringhook.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Round robin across request targets, removal, and putting one back at the head. */
class WaitingLineTest {

  @Test
  void targetsTakeTurnsWhateverTheirQueues() {
    WaitingLine<String> line = new WaitingLine<>();
    for (int i = 1; i <= 4; i++) {
      line.add("/slow", "slow" + i);
    }
    line.add("/fast", "fast1");
    line.add("/fast", "fast2");

    List<String> order = new ArrayList<>();
    for (String s = line.next(); s != null; s = line.next()) {
      order.add(s);
    }

    assertEquals(List.of("slow1", "fast1", "slow2", "fast2", "slow3", "slow4"), order);
    assertEquals(0, line.size());
  }

  @Test
  void removedOnesAreGoneAndOnePutBackComesFirst() {
    WaitingLine<String> line = new WaitingLine<>();
    line.add("/a", "a1");
    line.add("/a", "a2");
    line.add("/b", "b1");

    assertTrue(line.remove("/a", "a2"));
    assertFalse(line.remove("/a", "a2"), "not there twice");
    assertTrue(line.remove("/b", "b1"));
    line.addFirst("/a", "a0");

    assertEquals(2, line.size());
    assertEquals("a0", line.next());
    assertEquals("a1", line.next());
    assertNull(line.next());
  }
}
