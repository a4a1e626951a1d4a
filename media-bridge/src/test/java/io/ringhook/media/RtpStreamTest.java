package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.ringhook.sip.MediaParams;
import io.ringhook.sip.MediaParams.Direction;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-call RTP handler on an EmbeddedChannel whose event loop runs on a mock ticker. */
class RtpStreamTest {
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 4000);
  private static final InetSocketAddress CALLER = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress SDP = new InetSocketAddress("127.0.0.1", 40002);
  private static final InetSocketAddress STRANGER = new InetSocketAddress("127.0.0.2", 50000);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final AtomicInteger portReleases = new AtomicInteger();
  private final RtpStream stream = new RtpStream("call-1", 4000, ticker, Duration.ofSeconds(2),
      UnpooledByteBufAllocator.DEFAULT, new SplittableRandom(7), portReleases::incrementAndGet);
  private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).handlers(stream).build();
  private final Recorder events = new Recorder();
  private int callerSeq = 1000;

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  /** Records what the endpoint reports. */
  static final class Recorder implements RtpEvents {
    final List<AudioFrame> frames = new ArrayList<>();
    final List<DtmfEvent> digits = new ArrayList<>();
    final List<String> marks = new ArrayList<>();
    final List<Duration> timeouts = new ArrayList<>();

    @Override
    public void onAudio(AudioFrame frame) {
      frames.add(frame);
    }

    @Override
    public void onDtmf(DtmfEvent event) {
      digits.add(event);
    }

    @Override
    public void onMark(String name, boolean cleared) {
      marks.add((cleared ? "cleared:" : "") + name);
    }

    @Override
    public void onTimeout(Duration silentFor) {
      timeouts.add(silentFor);
    }
  }

  private static MediaParams params(InetSocketAddress remote, Direction direction) {
    return new MediaParams(remote, 0, 101, direction);
  }

  private void start() {
    stream.start(params(SDP, Direction.SENDRECV), events);
  }

  private void advance(long millis) {
    for (long done = 0; done < millis; done += 10) {
      ticker.advance(Math.min(10, millis - done), TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
    }
  }

  private static byte[] rtp(int pt, int seq, long ts, boolean marker, byte[] payload) {
    ByteBuf buf = RtpCodec.encode(UnpooledByteBufAllocator.DEFAULT, new RtpPacket(marker, pt, seq, ts, 0x1234, payload));
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return bytes;
  }

  private void receive(byte[] datagram, InetSocketAddress from) {
    channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(datagram), LOCAL, from));
  }

  private void callerSends(int fill) {
    int seq = callerSeq++;
    receive(rtp(0, seq, seq * 160L, false, filled(fill)), CALLER);
  }

  private static byte[] filled(int fill) {
    byte[] b = new byte[160];
    Arrays.fill(b, (byte) fill);
    return b;
  }

  /** The next datagram the endpoint sent, decoded; null when none. */
  private Sent sent() {
    DatagramPacket d = channel.readOutbound();
    if (d == null) {
      return null;
    }
    try {
      return new Sent(d.recipient(), assertInstanceOf(RtpPacket.class, RtpCodec.decode(d.content())));
    } finally {
      d.release();
    }
  }

  private record Sent(InetSocketAddress to, RtpPacket packet) {
  }

  @Test
  void sendsToTheSdpAddressUntilTheCallersPacketsShowTheirRealSource() {
    start();
    stream.send(Unpooled.wrappedBuffer(filled(1)), AudioCodec.PCMU);
    advance(20);
    Sent first = sent();
    assertEquals(SDP, first.to());
    assertArrayEquals(filled(1), first.packet().payload());
    callerSends(9);
    stream.send(Unpooled.wrappedBuffer(filled(2)), AudioCodec.PCMU);
    advance(20);
    assertEquals(CALLER, sent().to(), "symmetric RTP");
    assertNull(sent());
  }

  @Test
  void deliversTheCallersAudioInOrderAndCountsWhatItDrops() {
    start();
    receive(rtp(0, 1, 160, true, filled(1)), CALLER);
    receive(rtp(0, 3, 480, false, filled(3)), CALLER);
    receive(rtp(0, 2, 320, false, filled(2)), CALLER);
    receive(rtp(0, 2, 320, false, filled(2)), CALLER);
    receive(new byte[] {(byte) 0x80, 0, 1}, CALLER); // malformed
    receive(rtp(18, 4, 640, false, filled(4)), CALLER); // G.729: not negotiated
    receive(rtp(0, 4, 640, false, filled(4)), STRANGER); // not the latched source
    receive(rtp(72, 5, 0, true, new byte[8]), CALLER); // RTCP (0xC8) on the RTP port: ignored
    receive(rtp(8, 4, 640, false, filled(4)), CALLER); // PCMA though PCMU was agreed: still audio
    assertEquals(List.of(1, 2, 3, 4), events.frames.stream().map(AudioFrame::sequence).toList());
    assertTrue(events.frames.get(0).marker());
    assertArrayEquals(filled(2), events.frames.get(1).payload());
    assertEquals(AudioCodec.PCMA, events.frames.get(3).codec());
    RtpStats stats = stream.stats();
    assertEquals(5, stats.packetsReceived());
    assertEquals(1, stats.duplicates());
    assertEquals(1, stats.malformed());
    assertEquals(1, stats.unexpectedType());
    assertEquals(1, stats.foreignSource());
    assertTrue(channel.isOpen(), "nothing broke the pipeline");
  }

  @Test
  void aGapIsReportedAsLostOnceTheFollowersWaitedLongEnough() {
    start();
    callerSends(1);
    callerSeq++; // one packet never arrives
    callerSends(3);
    assertEquals(1, events.frames.size());
    advance(60);
    assertEquals(2, events.frames.size());
    assertEquals(1, events.frames.get(1).lostBefore());
    assertEquals(1, stream.stats().lost());
  }

  @Test
  void anotherSourceTakesOverOnlyAfterTheLatchedOneWentQuiet() {
    start();
    callerSends(1);
    advance(500);
    receive(rtp(0, callerSeq, 0, false, filled(5)), STRANGER);
    assertEquals(1, events.frames.size(), "the caller spoke 500 ms ago: the stranger is ignored");
    advance(500);
    receive(rtp(0, callerSeq++, 0, false, filled(5)), STRANGER);
    assertEquals(2, events.frames.size(), "quiet for a second: the new source (NAT rebinding) is taken");
    stream.send(Unpooled.wrappedBuffer(filled(1)), AudioCodec.PCMU);
    advance(40);
    assertEquals(STRANGER, sent().to());
  }

  @Test
  void aRenegotiatedAddressResetsTheLatch() {
    start();
    callerSends(1);
    InetSocketAddress moved = new InetSocketAddress("127.0.0.1", 40010);
    stream.update(params(moved, Direction.SENDRECV));
    stream.send(Unpooled.wrappedBuffer(filled(1)), AudioCodec.PCMU);
    advance(20);
    assertEquals(moved, sent().to());
  }

  @Test
  void echoesThroughThePacerOnePacketPerTwentyMilliseconds() {
    stream.start(params(SDP, Direction.SENDRECV), new EchoMediaBridge.Echo(stream, reason -> { }));
    for (int i = 0; i < 5; i++) {
      callerSends(i);
    }
    List<RtpPacket> echoed = new ArrayList<>();
    for (int slot = 1; slot <= 7; slot++) {
      advance(20);
      Sent s = sent();
      if (slot <= 5) {
        assertEquals(CALLER, s.to());
        echoed.add(s.packet());
        assertNull(sent(), "one packet per slot");
      } else {
        assertNull(s, "the queue ran dry");
      }
    }
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(filled(i), echoed.get(i).payload());
      assertEquals(i == 0, echoed.get(i).marker());
      assertEquals((echoed.get(0).sequence() + i) & 0xFFFF, echoed.get(i).sequence());
      assertEquals((echoed.get(0).timestamp() + 160L * i) & 0xFFFFFFFFL, echoed.get(i).timestamp());
    }
  }

  @Test
  void reportsEachKeyPressOnce() {
    start();
    long ts = 48_000;
    for (int i = 1; i <= 3; i++) {
      receive(rtp(101, callerSeq++, ts, i == 1, new byte[] {7, 10, 0, (byte) (160 * i)}), CALLER);
    }
    for (int i = 0; i < 3; i++) {
      receive(rtp(101, callerSeq++, ts, false, new byte[] {7, (byte) 0x8A, 0x01, (byte) 0xE0}), CALLER);
    }
    assertEquals(1, events.digits.size());
    assertEquals('7', events.digits.get(0).digit());
    assertEquals(60, events.digits.get(0).durationMillis());
    assertEquals(1, stream.stats().dtmfDigits());
    assertTrue(events.frames.isEmpty(), "telephone-events are not audio");
  }

  @Test
  void endsTheCallOnceAfterTheInactivityTimeout() {
    start();
    advance(1000);
    callerSends(1);
    advance(1990);
    assertTrue(events.timeouts.isEmpty());
    advance(10);
    assertEquals(1, events.timeouts.size());
    assertTrue(events.timeouts.get(0).compareTo(Duration.ofSeconds(2)) >= 0);
    advance(5000);
    assertEquals(1, events.timeouts.size(), "reported once");
  }

  @Test
  void theTimeoutIsSuspendedWhileWeDoNotReceive() {
    start();
    stream.update(params(SDP, Direction.SENDONLY)); // held: we only send
    advance(10_000);
    assertTrue(events.timeouts.isEmpty());
    stream.update(params(SDP, Direction.SENDRECV)); // resumed: the timer starts afresh
    advance(1990);
    assertTrue(events.timeouts.isEmpty());
    advance(10);
    assertEquals(1, events.timeouts.size());
  }

  @Test
  void nothingIsSentWhileOurDirectionDoesNotSendOrTheAddressIsNull() {
    stream.start(params(SDP, Direction.RECVONLY), events);
    stream.send(Unpooled.wrappedBuffer(filled(1)), AudioCodec.PCMU);
    advance(40);
    assertNull(sent());
    stream.update(params(new InetSocketAddress("0.0.0.0", 40002), Direction.SENDRECV));
    stream.send(Unpooled.wrappedBuffer(filled(1)), AudioCodec.PCMU);
    advance(40);
    assertNull(sent(), "c=0.0.0.0 is the old way of saying hold");
    assertEquals(0, stream.stats().packetsSent());
  }

  @Test
  void audioSentBeforeStartWaitsAndTheCallersPacketsBeforeStartAreDeliveredAtStart() {
    stream.send(Unpooled.wrappedBuffer(filled(4)), AudioCodec.PCMU);
    callerSends(1);
    callerSends(2);
    advance(100);
    assertNull(sent());
    assertTrue(events.frames.isEmpty());
    assertEquals(0, stream.stats().packetsReceived());
    start();
    assertEquals(List.of(1000, 1001), events.frames.stream().map(AudioFrame::sequence).toList());
    assertArrayEquals(filled(2), events.frames.get(1).payload());
    advance(20);
    assertArrayEquals(filled(4), sent().packet().payload());
    assertThrows(IllegalStateException.class, this::start);
  }

  @Test
  void atMostTheNewestEarlyPacketsAreHeldAndAStreamClosedBeforeStartReleasesThem() {
    List<DatagramPacket> sent = new ArrayList<>();
    for (int i = 0; i < RtpStream.EARLY_PACKETS + 5; i++) {
      DatagramPacket d = new DatagramPacket(Unpooled.wrappedBuffer(rtp(0, i, i * 160L, false, filled(i))),
          LOCAL, CALLER);
      sent.add(d);
      channel.writeInbound(d);
    }
    assertEquals(0, sent.get(4).refCnt(), "the oldest beyond the bound are dropped");
    assertEquals(1, sent.get(5).refCnt(), "the newest are held");
    start();
    assertEquals(RtpStream.EARLY_PACKETS, events.frames.size());
    assertEquals(5, events.frames.get(0).sequence());
    assertTrue(sent.stream().allMatch(d -> d.refCnt() == 0), "every held packet released after delivery");

    RtpStream other = new RtpStream("call-2", 4002, ticker, Duration.ofSeconds(2),
        UnpooledByteBufAllocator.DEFAULT, new SplittableRandom(8), () -> { });
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).handlers(other).build();
    DatagramPacket d = new DatagramPacket(Unpooled.wrappedBuffer(rtp(0, 1, 160, false, filled(1))), LOCAL, CALLER);
    ch.writeInbound(d);
    assertEquals(1, d.refCnt());
    ch.close();
    assertEquals(0, d.refCnt(), "released when the stream closes without a start");
  }

  @Test
  void marksAreReportedAfterTheirAudioAndClearReportsTheRest() {
    start();
    stream.send(Unpooled.wrappedBuffer(new byte[320]), AudioCodec.PCMU);
    stream.mark("one");
    stream.send(Unpooled.wrappedBuffer(new byte[1600]), AudioCodec.PCMU);
    stream.mark("two");
    advance(20);
    assertTrue(events.marks.isEmpty());
    advance(20);
    assertEquals(List.of("one"), events.marks);
    advance(20);
    stream.clear();
    assertEquals(List.of("one", "cleared:two"), events.marks);
  }

  @Test
  void aFailingConsumerDoesNotBreakTheStream() {
    stream.start(params(SDP, Direction.SENDRECV), new RtpEvents() {
      @Override
      public void onAudio(AudioFrame frame) {
        throw new IllegalStateException("consumer bug");
      }

      @Override
      public void onTimeout(Duration silentFor) {
      }
    });
    try (CapturedLogs logs = new CapturedLogs(RtpStream.class)) {
      callerSends(1);
      callerSends(2);
      assertTrue(channel.isOpen());
      assertEquals(2, stream.stats().packetsReceived());
      assertTrue(logs.lines().contains("WARN call call-1: audio consumer failed [java.lang.IllegalStateException]"),
          logs.lines().toString());
    }
  }

  @Test
  void closeReleasesEverythingOnce() {
    start();
    ByteBuf queued = Unpooled.wrappedBuffer(new byte[16_000]);
    stream.send(queued, AudioCodec.PCMU);
    advance(20);
    sent();
    stream.close("caller hung up");
    assertFalse(channel.isOpen());
    assertEquals(0, queued.refCnt(), "queued audio released");
    // The port goes back on a task after the selector's next select (see RtpStream); an
    // EmbeddedChannel cancels scheduled tasks when it closes, so RtpEndpointsTest checks that part.
    assertEquals(0, portReleases.get());
    stream.close("again");
    ByteBuf late = Unpooled.wrappedBuffer(new byte[160]);
    stream.send(late, AudioCodec.PCMU);
    assertEquals(0, late.refCnt(), "audio sent after close is released");
    advance(100);
    assertNull(sent());
    assertTrue(events.timeouts.isEmpty());
  }
}
