package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.server.peers.TcpFlood;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIP over TCP under abuse (issue 13, item 1): many idle or half-written connections cost no
 * thread each, the caps and the first-message deadline close what is over them, a source outside
 * every trunk is refused at accept time, and a carrier's TCP calls go on meanwhile. The flood
 * comes from 127.0.0.2 so that the legitimate caller (127.0.0.1) is a different source.
 */
@Timeout(120)
class SipTcpGuardIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CALLER = "sip:+12345678912@127.0.0.1";
  private static final String HALF_AN_INVITE = "INVITE sip:+15550001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void aThousandIdleAndHalfWrittenConnectionsAddFewThreadsAndTcpCallsStillWork() throws Exception {
    RingFixture ring = resources.add(RingFixture.startWithSip(""
        + "  tcp_max_connections: 5000\n"
        + "  tcp_max_connections_per_source: 5000\n"
        + "  tcp_first_message_timeout: 5m\n", ""));
    IntSupplier threads = () -> ManagementFactory.getThreadMXBean().getThreadCount();
    // One call first, so that threads started lazily by the first call are not counted against the flood.
    SipTestClient client = resources.add(SipTestClient.builder("tcpcaller").tcp().start());
    RtpPeer rtp = resources.add(RtpPeer.open("tcpcaller"));
    ring.answerAndHangUp(client, rtp, CALLER, "+15550001;transport=tcp", WAIT);
    int before = threads.getAsInt();

    TcpFlood idle = resources.add(TcpFlood.open(flooder(), target(ring), 500, ""));
    TcpFlood half = resources.add(TcpFlood.open(flooder(), target(ring), 500, HALF_AN_INVITE));
    Thread.sleep(1000);
    int during = threads.getAsInt();
    System.out.println("threads before the flood " + before + ", with 1000 connections open " + during
        + "; the server holds " + ring.server().sipTcpConnections() + " of them");

    assertTrue(during - before < 100, "threads before " + before + ", during " + during);
    assertTrue(ring.server().sipTcpConnections() >= 1000, "connections held: " + ring.server().sipTcpConnections());
    assertEquals(0, idle.closedByServer() + half.closedByServer(), "within every limit: none closed");
    // A carrier's call over TCP during the flood.
    ring.answerAndHangUp(client, rtp, CALLER, "+15550002;transport=tcp", WAIT);
  }

  @Test
  void connectionsOverTheCapsAreResetAndSilentOnesClosedAfterTheFirstMessageDeadline() throws Exception {
    RingFixture ring = resources.add(RingFixture.startWithSip(""
        + "  tcp_max_connections: 100\n"
        + "  tcp_max_connections_per_source: 20\n"
        + "  tcp_first_message_timeout: 2s\n", ""));
    TcpFlood flood = resources.add(TcpFlood.open(flooder(), target(ring), 60, HALF_AN_INVITE));
    Thread.sleep(500);
    assertEquals(40, flood.closedByServer(), "20 of 60 from one source kept");
    assertEquals(20, ring.server().sipTcpConnections());

    // Meanwhile a carrier (another source) still gets its TCP call answered.
    SipTestClient client = resources.add(SipTestClient.builder("tcpcarrier").tcp().start());
    RtpPeer rtp = resources.add(RtpPeer.open("tcpcarrier"));
    ring.answerAndHangUp(client, rtp, CALLER, "+15550003;transport=tcp", WAIT);

    // None of the 20 ever completes a message: all are closed after the 2 s deadline (swept once a second).
    long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
    while (flood.closedByServer() < 60 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(60, flood.closedByServer());
    assertEquals(1, ring.server().sipTcpConnections() <= 1 ? 1 : 0, "only the carrier's connection may be left");
    String metrics = new AdminClient(ring.httpPort(), java.util.Optional.empty()).get("/metrics").body();
    assertTrue(metrics.contains("ringhook_sip_tcp_refused_total{reason=\"source_cap\"} 40"), metrics);
    assertTrue(metrics.contains("ringhook_sip_tcp_refused_total{reason=\"first_message_timeout\"} 20"), metrics);
  }

  @Test
  void aSourceOutsideEveryTrunkIsResetAtAcceptAndCrlfPingsArePonged() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""
        + "trunks:\n"
        + "  - name: carrier-a\n"
        + "    allow: [127.0.0.1]\n"));
    TcpFlood outsiders = resources.add(TcpFlood.open(flooder(), target(ring), 50, HALF_AN_INVITE));
    Thread.sleep(300);
    assertEquals(50, outsiders.closedByServer());
    assertEquals(0, ring.server().sipTcpConnections());

    // RFC 5626 3.5.1: a double CRLF on a connection is a ping, answered by one CRLF.
    try (Socket s = new Socket()) {
      s.connect(target(ring));
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      for (int i = 0; i < 3; i++) {
        out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] pong = in.readNBytes(2);
        assertEquals("\r\n", new String(pong, StandardCharsets.US_ASCII), "pong " + i);
      }
    }
  }

  private static InetAddress flooder() throws Exception {
    return InetAddress.getByName("127.0.0.2");
  }

  private static InetSocketAddress target(RingFixture ring) {
    return new InetSocketAddress("127.0.0.1", ring.sipPort());
  }
}
