package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReorderBufferTest {
  private static final long MS = 1_000_000L;
  private final ReorderBuffer buffer = new ReorderBuffer(3, 60 * MS);
  private final List<String> out = new ArrayList<>();
  private final ReorderBuffer.Sink sink = (p, lost) -> out.add(p.sequence() + (lost > 0 ? "(-" + lost + ")" : ""));
  private long now;

  private void offer(int... seqs) {
    offerFrom(1L, seqs);
  }

  private void offerFrom(long ssrc, int... seqs) {
    for (int seq : seqs) {
      buffer.offer(new RtpPacket(false, 0, seq, seq * 160L, ssrc, new byte[0]), now, sink);
    }
  }

  @Test
  void inOrderPacketsPassStraightThrough() {
    offer(10, 11, 12);
    assertEquals(List.of("10", "11", "12"), out);
    assertEquals(3, buffer.delivered());
  }

  @Test
  void reorderedPacketsComeOutInOrder() {
    offer(10, 12, 11, 13);
    assertEquals(List.of("10", "11", "12", "13"), out);
    assertEquals(0, buffer.lost());
  }

  @Test
  void duplicatesAreDroppedAndCounted() {
    offer(10, 11, 11, 10, 13, 13);
    assertEquals(List.of("10", "11"), out, "13 waits for 12");
    assertEquals(3, buffer.duplicates(), "11 and 10 after delivery, 13 while held");
  }

  @Test
  void aGapIsGivenUpWhenEnoughPacketsWaitBehindIt() {
    offer(10, 12, 13, 14);
    assertEquals(List.of("10"), out, "three wait behind the gap");
    offer(15);
    assertEquals(List.of("10", "12(-1)", "13", "14", "15"), out);
    assertEquals(1, buffer.lost());
    offer(11);
    assertEquals(1, buffer.late(), "11 comes too late");
    assertEquals(0, buffer.duplicates());
    assertEquals(5, out.size());
  }

  @Test
  void aGapIsGivenUpWhenTheFollowersWaitedTooLong() {
    offer(10, 13);
    now += 59 * MS;
    buffer.poll(now, sink);
    assertEquals(List.of("10"), out);
    now += MS;
    buffer.poll(now, sink);
    assertEquals(List.of("10", "13(-2)"), out);
    assertEquals(2, buffer.lost());
  }

  @Test
  void sequenceNumbersWrap() {
    offer(65534, 0, 65535, 1);
    assertEquals(List.of("65534", "65535", "0", "1"), out);
    offer(65535);
    assertEquals(1, buffer.duplicates());
  }

  @Test
  void aNewSsrcRestartsTheStreamAfterDeliveringWhatWasHeld() {
    offerFrom(1L, 10, 12);
    offerFrom(2L, 500, 501);
    assertEquals(List.of("10", "12(-1)", "500", "501"), out);
    assertEquals(1, buffer.restarts());
  }

  @Test
  void aHugeJumpRestartsTheStream() {
    offer(10, 11);
    offer(10_000, 10_001);
    assertEquals(List.of("10", "11", "10000", "10001"), out);
    offer(5000); // far behind the new position: treated as yet another restart, not as late
    assertEquals(2, buffer.restarts());
  }

  @Test
  void flushDeliversEverythingHeldAndClearDropsIt() {
    offer(10, 12, 14);
    buffer.flush(sink);
    assertEquals(List.of("10", "12(-1)", "14(-1)"), out);
    offer(16, 17);
    assertEquals(List.of("10", "12(-1)", "14(-1)"), out, "16 and 17 wait for 15");
    buffer.clear();
    buffer.flush(sink);
    assertEquals(3, out.size());
  }

  @Test
  void checksItsArguments() {
    assertThrows(IllegalArgumentException.class, () -> new ReorderBuffer(0, MS));
    assertThrows(IllegalArgumentException.class, () -> new ReorderBuffer(3, 0));
  }
}
