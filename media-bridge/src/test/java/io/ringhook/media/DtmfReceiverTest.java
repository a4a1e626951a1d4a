package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DtmfReceiverTest {
  private static final long MS = 1_000_000L;
  private final DtmfReceiver receiver = new DtmfReceiver(500 * MS);
  private final List<DtmfEvent> digits = new ArrayList<>();
  private long now;
  private int seq = 100;

  private static byte[] payload(int event, boolean end, int volume, int duration) {
    return new byte[] {(byte) event, (byte) ((end ? 0x80 : 0) | volume), (byte) (duration >> 8), (byte) duration};
  }

  private void packet(long timestamp, int event, boolean end, int duration) {
    receiver.onPacket(new RtpPacket(false, 101, seq++, timestamp, 7, payload(event, end, 10, duration)), now, digits::add);
    now += 20 * MS;
  }

  /** A press as RFC 4733 section 2.5.1 sends it: updates every 20 ms, then the end packet three times. */
  private void press(long timestamp, int event, int updates) {
    for (int i = 1; i <= updates; i++) {
      packet(timestamp, event, false, 160 * i);
    }
    for (int i = 0; i < 3; i++) {
      packet(timestamp, event, true, 160 * updates + 160);
    }
  }

  @Test
  void parsesTheRfc4733Payload() {
    TelephoneEvent e = TelephoneEvent.parse(new byte[] {11, (byte) 0x8A, 0x03, 0x20}).orElseThrow();
    assertEquals(11, e.event());
    assertTrue(e.end());
    assertEquals(10, e.volume());
    assertEquals(800, e.duration());
    assertEquals('#', e.digit());
    TelephoneEvent start = TelephoneEvent.parse(new byte[] {10, 0x3F, 0, 0}).orElseThrow();
    assertFalse(start.end());
    assertEquals(63, start.volume(), "the R bit is not part of the volume");
    assertEquals('*', start.digit());
    assertEquals(0, TelephoneEvent.parse(new byte[] {16, 0, 0, 0}).orElseThrow().digit(), "flash is no digit");
    assertTrue(TelephoneEvent.parse(new byte[] {1, 2, 3}).isEmpty());
    assertEquals(65535, TelephoneEvent.parse(new byte[] {1, 0, (byte) 0xFF, (byte) 0xFF}).orElseThrow().duration());
  }

  @Test
  void reportsEachPressOnceDespiteTheTripleEndPacket() {
    press(8000, 5, 4);
    assertEquals(1, digits.size());
    DtmfEvent five = digits.get(0);
    assertEquals('5', five.digit());
    assertEquals(100, five.durationMillis(), "800 samples at 8 kHz");
    assertEquals(10, five.volume());
    assertEquals(8000, five.timestamp());
    assertTrue(five.ended());
  }

  @Test
  void theSameDigitTwiceIsTwoPresses() {
    press(8000, 1, 3);
    press(16000, 1, 3);
    press(24000, 12, 2);
    assertEquals("11A", digits.stream().map(d -> String.valueOf(d.digit())).reduce("", String::concat));
  }

  @Test
  void aPressWhoseEndWasLostIsReportedWhenTheNextStarts() {
    packet(8000, 9, false, 160);
    packet(8000, 9, false, 320);
    assertTrue(digits.isEmpty());
    press(16000, 0, 2);
    assertEquals(2, digits.size());
    assertEquals('9', digits.get(0).digit());
    assertFalse(digits.get(0).ended());
    assertEquals(40, digits.get(0).durationMillis());
    assertEquals('0', digits.get(1).digit());
  }

  @Test
  void aPressWhoseEndWasLostIsReportedWhenItGoesQuiet() {
    packet(8000, 3, false, 160);
    receiver.poll(now + 400 * MS, digits::add);
    assertTrue(digits.isEmpty());
    receiver.poll(now + 480 * MS, digits::add);
    assertEquals(1, digits.size());
    assertEquals('3', digits.get(0).digit());
    receiver.poll(now + 2000 * MS, digits::add);
    packet(8000, 3, true, 480);
    assertEquals(1, digits.size(), "a late end packet does not report it again");
  }

  @Test
  void nonDigitEventsAndShortPayloadsAreIgnored() {
    press(8000, 16, 3);
    receiver.onPacket(new RtpPacket(false, 101, seq++, 9000, 7, new byte[2]), now, digits::add);
    assertTrue(digits.isEmpty());
  }

  @Test
  void eventRecordChecksTheDigit() {
    assertThrows(IllegalArgumentException.class, () -> new DtmfEvent('E', 0, 0, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new DtmfReceiver(0));
  }
}
