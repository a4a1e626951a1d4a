package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.sip.MediaParams;
import io.ringhook.sip.MediaParams.Direction;
import io.ringhook.testing.Await;
import io.ringhook.testing.EventLoops;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pool-wide RTP counters, over real UDP on 127.0.0.1: a DatagramSocket plays each caller. */
class RtpTotalsTest {
  @RegisterExtension
  static final EventLoops LOOPS = new EventLoops(1);
  private static final EventLoopGroup group = LOOPS.group();

  /** One caller: its socket, its endpoint, and the marks the endpoint reported. */
  private static final class Caller implements RtpEvents, AutoCloseable {
    final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, 0));
    final BlockingQueue<String> marks = new LinkedBlockingQueue<>();
    final RtpEndpoint endpoint;
    final InetSocketAddress target;

    /** Opens and starts an endpoint, and waits until it runs (packets before that are ignored). */
    Caller(RtpEndpoints pool, String callId) throws Exception {
      endpoint = pool.open(callId).get(5, TimeUnit.SECONDS);
      endpoint.start(new MediaParams((InetSocketAddress) socket.getLocalSocketAddress(), 0, 101,
          Direction.SENDRECV), this);
      target = new InetSocketAddress(UdpTestSupport.LOOPBACK, endpoint.localPort());
      endpoint.mark("running");
      awaitMark("running");
    }

    void send(int... sequences) throws Exception {
      for (int seq : sequences) {
        byte[] rtp = UdpTestSupport.rtp(0, seq, 160L * seq, 0x1234, seq == 0, new byte[160]);
        socket.send(new DatagramPacket(rtp, rtp.length, target));
      }
    }

    void awaitMark(String name) throws InterruptedException {
      assertEquals(name, marks.poll(5, TimeUnit.SECONDS), "mark reported");
    }

    @Override
    public void onAudio(AudioFrame frame) {
    }

    @Override
    public void onMark(String name, boolean cleared) {
      marks.add(name);
    }

    @Override
    public void onTimeout(Duration silentFor) {
    }

    @Override
    public void close() throws Exception {
      endpoint.close("test over");
      endpoint.closeFuture().get(5, TimeUnit.SECONDS);
      socket.close();
    }
  }

  private static void awaitValue(long expected, LongSupplier actual, String what) throws InterruptedException {
    Await.until(() -> what + ": " + actual.getAsLong() + ", not " + expected, Duration.ofSeconds(5),
        () -> actual.getAsLong() == expected);
  }

  @Test
  void countsPacketsInOutLostLateAndDuplicatesOverEveryCall() throws Exception {
    int base = UdpTestSupport.freeEvenBase(4);
    RtpEndpoints pool = RtpEndpoints.create(new RtpSettings("127.0.0.1", base, base + 6, Duration.ofSeconds(30)),
        group, Ticker.systemTicker());
    RtpTotals totals = pool.totals();
    assertNotNull(totals);
    assertEquals(0, totals.packetsIn());

    try (Caller first = new Caller(pool, "totals-1"); Caller second = new Caller(pool, "totals-2")) {
      // 4 never comes in time: 5, 6, 7 wait behind it and 8 makes the reorder stage give up on it.
      first.send(0, 1, 2, 2, 3, 5, 6, 7, 8);
      awaitValue(1, totals::lost, "the gap at 4 is lost");
      first.send(4); // after its place passed: late
      first.send(9, 10, 11);
      awaitValue(13, totals::packetsIn, "every valid packet, the duplicate and the late one included");
      awaitValue(1, totals::late, "4 came late");
      assertEquals(1, totals.duplicates());

      // Outbound: 7 packets' worth of audio, paced out at 20 ms.
      first.endpoint.send(Unpooled.wrappedBuffer(new byte[160 * 7]), AudioCodec.PCMU);
      first.endpoint.mark("sent");
      first.awaitMark("sent");
      awaitValue(7, totals::packetsOut, "packets sent to the caller");

      second.send(0, 1, 2, 3);
      byte[] junk = {1, 2, 3};
      second.socket.send(new DatagramPacket(junk, junk.length, second.target));
      awaitValue(17, totals::packetsIn, "the second call's packets are added to the first's");
      awaitValue(1, totals::malformed, "a datagram that is not RTP");
    }
    awaitValue(0, pool::portsInUse, "ports released");
    assertEquals(17, totals.packetsIn(), "closing adds nothing twice");
    assertEquals(7, totals.packetsOut());
    assertEquals(1, totals.lost(), "nothing lost on the second call");
    assertEquals(1, totals.late());
    assertEquals(1, totals.duplicates());
  }
}
