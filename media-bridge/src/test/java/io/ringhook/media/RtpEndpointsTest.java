package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.ringhook.sip.MediaException;
import io.ringhook.sip.MediaParams;
import io.ringhook.sip.Outcome;
import io.ringhook.testing.Await;
import io.ringhook.testing.EventLoops;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The port pool against real sockets on 127.0.0.1. */
class RtpEndpointsTest {
  @RegisterExtension
  static final EventLoops LOOPS = new EventLoops(1);
  private static final EventLoopGroup group = LOOPS.group();

  private static RtpEndpoints pool(int min, int max) {
    return RtpEndpoints.create(new RtpSettings("127.0.0.1", min, max, Duration.ofSeconds(30)), group,
        Ticker.systemTicker());
  }

  private static MediaException openFails(RtpEndpoints pool) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> pool.open("c").get(5, TimeUnit.SECONDS));
    return assertInstanceOf(MediaException.class, e.getCause());
  }

  @Test
  void bindsAnEvenPortOfTheRangeAndReleasesItOnClose() throws Exception {
    int base = UdpTestSupport.freeEvenBase(4);
    RtpEndpoints pool = pool(base, base + 6);
    RtpEndpoint endpoint = pool.open("call-1").get(5, TimeUnit.SECONDS);
    int port = endpoint.localPort();
    assertTrue(port >= base && port <= base + 6 && port % 2 == 0, "port " + port);
    assertEquals(1, pool.portsInUse());
    assertThrows(Exception.class, () -> new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, port)).close(),
        "the port is really bound");
    endpoint.close("done");
    endpoint.closeFuture().get(5, TimeUnit.SECONDS);
    assertEquals(0, pool.portsInUse());
    new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, port)).close();
  }

  @Test
  void skipsAPortSomeoneElseHolds() throws Exception {
    int base = UdpTestSupport.freeEvenBase(4);
    try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, base))) {
      assertEquals(base, squatter.getLocalPort());
      RtpEndpoints pool = pool(base, base + 6);
      RtpEndpoint endpoint = pool.open("call-1").get(5, TimeUnit.SECONDS);
      assertNotEquals(base, endpoint.localPort());
      assertEquals(1, pool.portsInUse(), "the refused port went back to the pool");
      endpoint.close("done");
      endpoint.closeFuture().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void anExhaustedRangeFailsWith503() throws Exception {
    int base = UdpTestSupport.freeEvenBase(1);
    RtpEndpoints pool = pool(base, base + 1);
    RtpEndpoint only = pool.open("call-1").get(5, TimeUnit.SECONDS);
    MediaException e = openFails(pool);
    assertEquals(503, e.sipStatus());
    assertEquals(Outcome.NO_RTP_PORT, e.outcome());
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    only.close("done");
    only.closeFuture().get(5, TimeUnit.SECONDS);
    RtpEndpoint again = pool.open("call-2").get(5, TimeUnit.SECONDS);
    assertEquals(base, again.localPort(), "the port came back");
    again.close("done");
    again.closeFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aClosedEndpointsPortCanBeBoundAgainAtOnce() throws Exception {
    // NIO frees a closed socket only at the selector's next select; the pool must not hand the
    // port out before that, or a one-port range would fail here now and then.
    int base = UdpTestSupport.freeEvenBase(1);
    RtpEndpoints pool = pool(base, base);
    for (int i = 0; i < 30; i++) {
      RtpEndpoint endpoint = pool.open("call-" + i).get(5, TimeUnit.SECONDS);
      assertEquals(base, endpoint.localPort());
      endpoint.close("done");
      endpoint.closeFuture().get(5, TimeUnit.SECONDS);
    }
    assertEquals(0, pool.portsInUse());
  }

  @Test
  void aRangeWhosePortsAreAllTakenElsewhereFailsWith503() throws Exception {
    int base = UdpTestSupport.freeEvenBase(1);
    try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, base))) {
      assertEquals(base, squatter.getLocalPort());
      RtpEndpoints pool = pool(base, base);
      MediaException e = openFails(pool);
      assertEquals(503, e.sipStatus());
      assertEquals(Outcome.NO_RTP_PORT, e.outcome());
      assertEquals(0, pool.portsInUse());
    }
  }

  @Test
  void aCancelledOpenLeavesNothingBound() throws Exception {
    int base = UdpTestSupport.freeEvenBase(1);
    RtpEndpoints pool = pool(base, base);
    CompletableFuture<RtpEndpoint> pending = pool.open("call-1");
    if (!pending.cancel(true)) {
      // The bind won the race: the endpoint is the caller's to close, as AgentMediaBridge does.
      pending.join().close("not wanted");
    }
    Await.until("RTP ports released", Duration.ofSeconds(5), () -> pool.portsInUse() == 0);
    RtpEndpoint next = pool.open("call-2").get(5, TimeUnit.SECONDS);
    next.close("done");
    next.closeFuture().get(5, TimeUnit.SECONDS);
  }

  /** Every stream of an event loop is paced by the loop's one timer, which stops with the last. */
  @Test
  void theCallsOfALoopShareOneTimerAndEachIsPaced() throws Exception {
    int base = UdpTestSupport.freeEvenBase(3);
    RtpEndpoints pool = pool(base, base + 4);
    try (DatagramSocket caller = new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, 0))) {
      caller.setSoTimeout(5000); // five seconds of audio each: a starved CI box may stall the loop
      List<RtpEndpoint> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RtpEndpoint e = pool.open("call-" + i).get(5, TimeUnit.SECONDS);
        e.start(new MediaParams((InetSocketAddress) caller.getLocalSocketAddress(), 0, -1,
            MediaParams.Direction.SENDRECV), new RtpEvents() {
              @Override
              public void onAudio(AudioFrame frame) {
              }

              @Override
              public void onTimeout(Duration silentFor) {
              }
            });
        calls.add(e);
      }
      Thread.sleep(200); // the starts have run
      assertEquals(1, pool.pacingTimers(), "one timer for the loop, not one per call");
      for (RtpEndpoint e : calls) {
        e.send(Unpooled.wrappedBuffer(new byte[160 * 250]), AudioCodec.PCMU);
      }
      // Each call's packets go out one per 20 ms slot: consecutive RTP timestamps 160 apart (a
      // stalled box may drop stale slots, which shows as larger steps, never as a repeated slot).
      Map<Integer, List<Long>> timestamps = new HashMap<>();
      DatagramPacket p = new DatagramPacket(new byte[512], 512);
      while (timestamps.size() < 3 || timestamps.values().stream().anyMatch(t -> t.size() < 3)) {
        caller.receive(p);
        long ts = ((p.getData()[4] & 0xFFL) << 24) | ((p.getData()[5] & 0xFF) << 16)
            | ((p.getData()[6] & 0xFF) << 8) | (p.getData()[7] & 0xFF);
        timestamps.computeIfAbsent(p.getPort(), k -> new ArrayList<>()).add(ts);
      }
      for (List<Long> ts : timestamps.values()) {
        for (int i = 1; i < ts.size(); i++) {
          long step = (ts.get(i) - ts.get(i - 1)) & 0xFFFFFFFFL;
          assertTrue(step > 0 && step % 160 == 0, "one slot per packet: " + ts);
        }
      }
      for (RtpEndpoint e : calls) {
        e.close("done");
        e.closeFuture().get(5, TimeUnit.SECONDS);
      }
      assertEquals(0, pool.pacingTimers(), "the last call stopped the timer");
    }
  }

  @Test
  void settingsAreCheckedWithEveryProblemListed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RtpSettings(" ", 30000, 20000, Duration.ZERO));
    assertTrue(e.getMessage().contains("bindHost"), e.getMessage());
    assertTrue(e.getMessage().contains("port_min <= port_max"), e.getMessage());
    assertTrue(e.getMessage().contains("timeout"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RtpSettings("0.0.0.0", 20001, 20001, Duration.ofSeconds(1)));
    assertEquals(20000, RtpSettings.defaults().portMin());
  }
}
