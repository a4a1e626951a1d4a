package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.MediaEnd;
import io.ringhook.sip.MediaParams;
import io.ringhook.sip.MediaParams.Direction;
import io.ringhook.sip.MediaSession;
import io.ringhook.testing.Await;
import io.ringhook.testing.EventLoops;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The echo bridge over real UDP on 127.0.0.1: a DatagramSocket plays the caller. */
class EchoMediaBridgeTest {
  private static final int PACKETS = 50;
  @RegisterExtension
  static final EventLoops LOOPS = new EventLoops(1);
  private static final EventLoopGroup group = LOOPS.group();

  private static RtpEndpoints endpoints(Duration timeout) {
    int base = UdpTestSupport.freeEvenBase(4);
    return RtpEndpoints.create(new RtpSettings("127.0.0.1", base, base + 6, timeout), group, Ticker.systemTicker());
  }

  private static InboundCall call(String id) {
    return new InboundCall(id, id + "@test", "local", new InetSocketAddress(UdpTestSupport.LOOPBACK, 5060),
        "+12345678912", "+12345678913");
  }

  private static DatagramSocket socket() throws Exception {
    return new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, 0));
  }

  private static void awaitPortsFree(RtpEndpoints endpoints) throws InterruptedException {
    Await.until("RTP ports released", Duration.ofSeconds(5), () -> endpoints.portsInUse() == 0);
    assertEquals(0, endpoints.portsInUse(), "port released");
  }

  @Test
  void echoesTheCallersAudioPacedAndToItsRealSource() throws Exception {
    RtpEndpoints endpoints = endpoints(Duration.ofSeconds(30));
    EchoMediaBridge bridge = new EchoMediaBridge(endpoints);
    List<MediaEnd> ended = new CopyOnWriteArrayList<>();
    try (DatagramSocket caller = socket(); DatagramSocket sdpAddress = socket()) {
      MediaSession session = bridge.open(call("echo-1"), CallDecision.connect(Map.of("greeting", "hi"))).get(5, TimeUnit.SECONDS);
      // The SDP names another port than the one the caller really sends from (a NAT, say).
      session.start(new MediaParams((InetSocketAddress) sdpAddress.getLocalSocketAddress(), 0, 101,
          Direction.SENDRECV), ended::add);
      InetSocketAddress target = new InetSocketAddress(UdpTestSupport.LOOPBACK, session.rtpPort());
      int seq0 = 65520; // the caller's numbering wraps mid-call
      for (int i = 0; i < PACKETS; i++) {
        byte[] payload = new byte[160];
        Arrays.fill(payload, (byte) i);
        byte[] rtp = UdpTestSupport.rtp(0, seq0 + i, 1000 + 160L * i, 0xABCDEF, i == 0, payload);
        caller.send(new DatagramPacket(rtp, rtp.length, target)); // all at once: faster than real time
      }

      caller.setSoTimeout(5000);
      List<RtpPacket> echoed = new ArrayList<>();
      long firstArrival = 0;
      long lastArrival = 0;
      for (int i = 0; i < PACKETS; i++) {
        DatagramPacket d = new DatagramPacket(new byte[1500], 1500);
        caller.receive(d);
        lastArrival = System.nanoTime();
        if (i == 0) {
          firstArrival = lastArrival;
        }
        assertEquals(target.getPort(), d.getPort(), "sent from the port in the SDP answer");
        echoed.add(assertInstanceOf(RtpPacket.class,
            RtpCodec.decode(Unpooled.wrappedBuffer(d.getData(), d.getOffset(), d.getLength()))));
      }

      for (int i = 0; i < PACKETS; i++) {
        RtpPacket p = echoed.get(i);
        byte[] expected = new byte[160];
        Arrays.fill(expected, (byte) i);
        assertArrayEquals(expected, p.payload(), "packet " + i + " in order, unchanged");
        assertEquals(0, p.payloadType());
        assertEquals(echoed.get(0).ssrc(), p.ssrc());
        if (i > 0) {
          RtpPacket prev = echoed.get(i - 1);
          assertEquals((prev.sequence() + 1) & 0xFFFF, p.sequence(), "continuous sequence");
          long step = (p.timestamp() - prev.timestamp()) & 0xFFFFFFFFL;
          assertTrue(p.marker() ? step > 160 : step == 160, "timestamp step " + step + " at " + i);
        }
      }
      assertTrue(echoed.get(0).marker(), "first packet of the talk-spurt");
      long spanMillis = TimeUnit.NANOSECONDS.toMillis(lastArrival - firstArrival);
      assertTrue(spanMillis >= (PACKETS - 1) * 20 * 3 / 4, "paced at 20 ms, not a burst: " + spanMillis + " ms");
      assertTrue(spanMillis < 10_000, "took " + spanMillis + " ms");

      sdpAddress.setSoTimeout(100);
      assertThrows(SocketTimeoutException.class, () -> sdpAddress.receive(new DatagramPacket(new byte[1500], 1500)),
          "nothing went to the SDP address once the caller's real source was known");

      session.close("caller hung up");
      session.close("again");
      awaitPortsFree(endpoints);
      new DatagramSocket(target).close(); // really unbound
      assertTrue(ended.isEmpty(), "closing is not the media side ending the call");
    }
  }

  @Test
  void endsTheCallOnceWhenTheCallersRtpStops() throws Exception {
    RtpEndpoints endpoints = endpoints(Duration.ofMillis(300));
    EchoMediaBridge bridge = new EchoMediaBridge(endpoints);
    List<MediaEnd> ended = new CopyOnWriteArrayList<>();
    try (DatagramSocket caller = socket()) {
      MediaSession session = bridge.open(call("timeout-1"), CallDecision.connect(Map.of())).get(5, TimeUnit.SECONDS);
      session.start(new MediaParams((InetSocketAddress) caller.getLocalSocketAddress(), 8, -1,
          Direction.SENDRECV), ended::add);
      long sentAt = System.nanoTime();
      byte[] rtp = UdpTestSupport.rtp(8, 1, 0, 42, true, new byte[160]);
      caller.send(new DatagramPacket(rtp, rtp.length, new InetSocketAddress(UdpTestSupport.LOOPBACK, session.rtpPort())));
      Await.until("the RTP timeout reported", Duration.ofSeconds(5), () -> !ended.isEmpty());
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
      assertEquals(List.of(MediaEnd.rtpTimeout()), ended);
      assertTrue(elapsedMillis >= 300, "ended after " + elapsedMillis + " ms");
      // The timer keeps running until the SIP layer closes the session; it reports only once.
      Await.holds("reported once", Duration.ofMillis(200), () -> ended.size() == 1);
      session.close("rtp timeout");
      awaitPortsFree(endpoints);
    }
  }

  @Test
  void aCallCancelledWhileItsPortIsBoundReleasesThePort() throws Exception {
    RtpEndpoints endpoints = endpoints(Duration.ofSeconds(30));
    EchoMediaBridge bridge = new EchoMediaBridge(endpoints);
    for (int i = 0; i < 20; i++) {
      CompletableFuture<MediaSession> opening = bridge.open(call("cancel-" + i), CallDecision.connect(Map.of()));
      // The caller hung up: the SIP layer cancels the open, or closes the session if it was too late.
      if (!opening.cancel(true)) {
        opening.join().close("caller hung up");
      }
      awaitPortsFree(endpoints);
    }
    // An open that is not cancelled keeps its port until the SIP layer closes the session.
    MediaSession open = bridge.open(call("kept"), CallDecision.connect(Map.of())).get(5, TimeUnit.SECONDS);
    assertEquals(1, endpoints.portsInUse());
    open.close("caller hung up");
    awaitPortsFree(endpoints);
  }
}
