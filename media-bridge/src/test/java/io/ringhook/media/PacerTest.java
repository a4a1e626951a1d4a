package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacer driven by a fake clock: every time below is an explicit number of nanoseconds. */
class PacerTest {
  private static final long MS = 1_000_000L;
  private static final long T0 = 5_000 * MS;
  private static final int SEQ0 = 65534;
  private static final long TS0 = 0xFFFFFF00L;

  private final List<RtpPacket> packets = new ArrayList<>();
  /** Packets and marks in the order the pacer emitted them. */
  private final List<String> events = new ArrayList<>();
  private final Pacer pacer = new Pacer(UnpooledByteBufAllocator.DEFAULT, SEQ0, TS0, 0xCAFEL, new Pacer.Output() {
    @Override
    public void packet(ByteBuf rtp) {
      RtpPacket p = assertInstanceOf(RtpPacket.class, RtpCodec.decode(rtp));
      rtp.release();
      packets.add(p);
      events.add("p" + p.sequence());
    }

    @Override
    public void mark(String name, boolean cleared) {
      events.add((cleared ? "cleared:" : "mark:") + name);
    }
  });

  private static ByteBuf audio(int length, int fill) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) fill);
    return Unpooled.wrappedBuffer(bytes);
  }

  private static byte[] bytes(int length, int fill) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) fill);
    return b;
  }

  private void at(long millisAfterStart) {
    pacer.tick(T0 + millisAfterStart * MS, true);
  }

  @Test
  void sendsOnePacketPerTwentyMillisecondsWithContinuousNumbering() {
    pacer.enqueue(audio(480, 1), AudioCodec.PCMU); // 60 ms
    pacer.tick(T0, true);
    assertTrue(packets.isEmpty(), "not started");
    pacer.start(T0, AudioCodec.PCMU);
    at(0);
    at(19);
    assertTrue(packets.isEmpty(), "the first slot is due 20 ms after start");
    at(20);
    assertEquals(1, packets.size());
    at(39);
    assertEquals(1, packets.size());
    at(40);
    at(60);
    at(80);
    assertEquals(3, packets.size(), "60 ms of audio is three packets");
    assertEquals(List.of(65534, 65535, 0), packets.stream().map(RtpPacket::sequence).toList(), "wraps");
    assertEquals(List.of(TS0, TS0 + 160, (TS0 + 320) & 0xFFFFFFFFL),
        packets.stream().map(RtpPacket::timestamp).toList());
    assertEquals(List.of(true, false, false), packets.stream().map(RtpPacket::marker).toList());
    for (RtpPacket p : packets) {
      assertEquals(0, p.payloadType());
      assertEquals(0xCAFEL, p.ssrc());
      assertArrayEquals(bytes(160, 1), p.payload());
    }
  }

  @Test
  void afterSilenceTheTimestampJumpsAndTheMarkerIsSet() {
    pacer.start(T0, AudioCodec.PCMA);
    pacer.enqueue(audio(160, 1), AudioCodec.PCMA);
    at(20);
    at(40);
    at(60);
    at(80); // three silent slots
    pacer.enqueue(audio(320, 2), AudioCodec.PCMA);
    at(100);
    at(120);
    assertEquals(3, packets.size());
    RtpPacket first = packets.get(0);
    RtpPacket resumed = packets.get(1);
    assertEquals(8, first.payloadType());
    assertEquals((first.sequence() + 1) & 0xFFFF, resumed.sequence(), "sequence stays continuous");
    assertEquals((first.timestamp() + 4 * 160) & 0xFFFFFFFFL, resumed.timestamp(), "four slots later");
    assertTrue(resumed.marker(), "a new talk-spurt");
    assertFalse(packets.get(2).marker());
  }

  @Test
  void aLateTimerSendsTheMissedSlotsAndALongStallDropsTheirAudio() {
    pacer.start(T0, AudioCodec.PCMU);
    pacer.enqueue(audio(160 * 60, 1), AudioCodec.PCMU);
    at(60);
    assertEquals(3, packets.size(), "three slots were due");
    at(60);
    assertEquals(3, packets.size(), "nothing more in the same instant");
    at(160);
    assertEquals(8, packets.size(), "five slots late: all sent, within the bound");
    at(1160); // a one-second stall: 50 slots due, only the last is sent, the rest is stale
    assertEquals(9, packets.size());
    assertEquals(49, pacer.slotsSkipped());
    assertEquals(49 * 160, pacer.bytesStale(), "the audio of the skipped slots was dropped");
    RtpPacket afterStall = packets.get(8);
    assertEquals((packets.get(7).timestamp() + 50 * 160) & 0xFFFFFFFFL, afterStall.timestamp());
    assertTrue(afterStall.marker(), "the skipped slots were not sent");
    assertEquals(160 * 2, pacer.queuedBytes(), "on schedule: 58 of 60 slots have passed");
  }

  /** A stall before anything played (the call's start, a pause) clips nothing: the audio starts late. */
  @Test
  void aStallBeforeTheSpeechStartsDelaysItWhole() {
    pacer.start(T0, AudioCodec.PCMU);
    for (int frame = 0; frame < 10; frame++) {
      pacer.enqueue(audio(160, frame), AudioCodec.PCMU);
    }
    at(300); // the first run comes 280 ms late
    for (int t = 320; t <= 500; t += 20) {
      at(t);
    }
    assertEquals(10, packets.size());
    for (int i = 0; i < 10; i++) {
      assertEquals(i, packets.get(i).payload()[0], "every frame, in order");
    }
    assertEquals(0, pacer.bytesStale());
    assertTrue(packets.get(0).marker());
  }

  /**
   * The latency bound: speech queued ahead (a text-to-speech burst), each 20 ms frame filled with
   * its number. A short stall is caught up; after a long one the frames whose slots passed are
   * dropped and every later frame plays in its own slot, whole and in order: the stall adds no
   * lasting delay.
   */
  @Test
  void afterAStallSpeechGoesOnInItsOwnSlotsIntact() {
    pacer.start(T0, AudioCodec.PCMU);
    for (int frame = 0; frame < 100; frame++) {
      pacer.enqueue(audio(160, frame), AudioCodec.PCMU);
      if (frame == 29) {
        pacer.mark("after-29");
      }
    }
    List<Long> sentAt = new ArrayList<>();
    long t = 0;
    while (t < 2000) {
      // Stalls: the timer runs 80 ms late at 280 (caught up), one second late at 1000 (dropped).
      t = t == 200 ? 280 : t == 400 ? 1400 : t + 20;
      at(t);
      while (sentAt.size() < packets.size()) {
        sentAt.add(t);
      }
    }
    assertEquals(0, pacer.queuedBytes());
    int dropped = 0;
    for (int i = 0; i < packets.size(); i++) {
      RtpPacket p = packets.get(i);
      int frame = p.payload()[0] & 0xFF;
      assertArrayEquals(bytes(160, frame), p.payload(), "frame " + frame + " whole");
      assertEquals((TS0 + frame * 160L) & 0xFFFFFFFFL, p.timestamp(), "frame " + frame + " in its slot");
      assertEquals((SEQ0 + i) & 0xFFFF, p.sequence(), "numbering continuous");
      long late = sentAt.get(i) - (frame + 1) * 20L;
      assertTrue(late >= 0 && late <= Pacer.MAX_LATENESS_MILLIS,
          "frame " + frame + " sent " + late + " ms after its slot");
      if (i > 0) {
        dropped += frame - (packets.get(i - 1).payload()[0] & 0xFF) - 1;
      }
    }
    assertEquals(100 - packets.size(), dropped);
    assertEquals((1400 - 400) / 20 - 1, dropped, "the slots of the long stall but the current one");
    assertEquals(dropped * 160L, pacer.bytesStale());
    assertEquals(99, packets.get(packets.size() - 1).payload()[0], "the speech after the stall played to its end");
    assertTrue(events.contains("mark:after-29"), "a mark inside the dropped audio is passed, not lost");
  }

  @Test
  void aShortRemainderWaitsOneSlotThenGoesOutPaddedWithSilence() {
    pacer.start(T0, AudioCodec.PCMU);
    pacer.enqueue(audio(100, 1), AudioCodec.PCMU);
    at(20);
    assertTrue(packets.isEmpty(), "waits for more");
    pacer.enqueue(audio(30, 2), AudioCodec.PCMU);
    at(40);
    assertTrue(packets.isEmpty(), "more came: waits again");
    at(60);
    assertEquals(1, packets.size());
    byte[] expected = new byte[160];
    Arrays.fill(expected, 0, 100, (byte) 1);
    Arrays.fill(expected, 100, 130, (byte) 2);
    Arrays.fill(expected, 130, 160, (byte) 0xFF);
    assertArrayEquals(expected, packets.get(0).payload());
  }

  @Test
  void marksFollowTheAudioQueuedBeforeThem() {
    pacer.start(T0, AudioCodec.PCMU);
    pacer.mark("first");
    pacer.enqueue(audio(320, 1), AudioCodec.PCMU);
    pacer.mark("a");
    pacer.enqueue(audio(100, 2), AudioCodec.PCMU);
    pacer.mark("b");
    pacer.mark("c");
    at(20);
    at(40);
    at(60);
    at(80);
    assertEquals(List.of("mark:first", "p65534", "p65535", "mark:a", "p0", "mark:b", "mark:c"), events,
        "a remainder followed by a mark is sent at once");
    assertEquals(3, packets.size());
  }

  @Test
  void aPacketSpanningAMarkReportsItAfterTheSend() {
    pacer.start(T0, AudioCodec.PCMU);
    pacer.enqueue(audio(100, 1), AudioCodec.PCMU);
    pacer.mark("mid");
    pacer.enqueue(audio(220, 2), AudioCodec.PCMU);
    at(20);
    at(40);
    assertEquals(List.of("p65534", "mark:mid", "p65535"), events);
  }

  @Test
  void clearDropsTheQueueReportsItsMarksAndStartsANewTalkSpurt() {
    pacer.start(T0, AudioCodec.PCMU);
    ByteBuf a = audio(1600, 1);
    ByteBuf b = audio(1600, 1);
    pacer.enqueue(a, AudioCodec.PCMU);
    pacer.mark("x");
    pacer.enqueue(b, AudioCodec.PCMU);
    pacer.mark("y");
    at(20);
    at(40);
    pacer.clear();
    assertEquals(0, a.refCnt(), "queued audio released");
    assertEquals(0, b.refCnt());
    assertEquals(0, pacer.queuedBytes());
    assertEquals(List.of("p65534", "p65535", "cleared:x", "cleared:y"), events);
    pacer.enqueue(audio(160, 3), AudioCodec.PCMU);
    at(60);
    RtpPacket next = packets.get(2);
    assertTrue(next.marker(), "new talk-spurt after clear, though no slot went empty");
    assertEquals(0, next.sequence());
    assertArrayEquals(bytes(160, 3), next.payload());
  }

  @Test
  void audioInTheOtherLawIsTranscodedAsItIsSent() {
    pacer.start(T0, AudioCodec.PCMA);
    pacer.enqueue(audio(160, 0xFF), AudioCodec.PCMU); // μ-law silence
    at(20);
    assertArrayEquals(bytes(160, 0xD5), packets.get(0).payload(), "A-law silence");
    pacer.codec(AudioCodec.PCMU);
    pacer.enqueue(audio(100, 0xD5), AudioCodec.PCMA);
    pacer.mark("end");
    at(40);
    RtpPacket p = packets.get(1);
    assertEquals(0, p.payloadType());
    byte[] expected = bytes(160, 0xFF);
    Arrays.fill(expected, 0, 100, G711.alawToUlaw((byte) 0xD5));
    assertArrayEquals(expected, p.payload(), "transcoded, then padded with μ-law silence");
  }

  @Test
  void onHoldAudioIsConsumedAtPaceButNotSent() {
    pacer.start(T0, AudioCodec.PCMU);
    pacer.enqueue(audio(320, 1), AudioCodec.PCMU);
    pacer.mark("held");
    pacer.enqueue(audio(320, 2), AudioCodec.PCMU);
    pacer.tick(T0 + 20 * MS, false);
    pacer.tick(T0 + 40 * MS, false);
    assertEquals(List.of("mark:held"), events);
    at(60);
    assertEquals(1, packets.size());
    assertTrue(packets.get(0).marker(), "resumed");
    assertEquals(SEQ0, packets.get(0).sequence(), "nothing was sent on hold");
    assertEquals((TS0 + 2 * 160) & 0xFFFFFFFFL, packets.get(0).timestamp(), "time went on");
    assertArrayEquals(bytes(160, 2), packets.get(0).payload());
  }

  @Test
  void releaseFreesEveryQueuedBufferAndAFullQueueDropsNewAudio() {
    ByteBuf big = audio(Pacer.MAX_QUEUED_BYTES, 1);
    ByteBuf more = audio(1, 1);
    assertTrue(pacer.enqueue(big, AudioCodec.PCMU));
    assertFalse(pacer.enqueue(more, AudioCodec.PCMU));
    assertEquals(0, more.refCnt(), "dropped audio is released");
    assertEquals(1, pacer.bytesDropped());
    pacer.mark("never");
    pacer.release();
    assertEquals(0, big.refCnt());
    assertEquals(0, pacer.queuedBytes());
    assertTrue(events.isEmpty(), "release reports nothing");
  }

  @Test
  void startsOnlyOnce() {
    pacer.start(T0, AudioCodec.PCMU);
    assertThrows(IllegalStateException.class, () -> pacer.start(T0, AudioCodec.PCMU));
  }
}
