package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * The SIP port held through the start-up warm-up: while held, nothing else binds it, for UDP or TCP (a listener
 * such as the SIP stack's, with SO_REUSEADDR, included); once let go, the SIP stack's binds succeed.
 */
class PortHoldTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void aHeldPortIsBoundForUdpAndTcpUntilClosed() throws Exception {
    int port;
    try (RingServer.PortHold hold = RingServer.PortHold.bind(new InetSocketAddress(LOOPBACK, 0))) {
      port = hold.port();
      assertThrows(BindException.class, () -> new DatagramSocket(new InetSocketAddress(LOOPBACK, port)).close());
      assertThrows(BindException.class, () -> {
        try (ServerSocket listener = new ServerSocket()) {
          listener.setReuseAddress(true);
          listener.bind(new InetSocketAddress(LOOPBACK, port), 50);
        }
      });
      assertThrows(BindException.class, () -> {
        try (Socket outgoing = new Socket()) {
          outgoing.bind(new InetSocketAddress(LOOPBACK, port));
        }
      });
    }
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, port));
         ServerSocket tcp = new ServerSocket()) {
      tcp.setReuseAddress(true);
      tcp.bind(new InetSocketAddress(LOOPBACK, port), 50);
      assertEquals(port, udp.getLocalPort());
      assertEquals(port, tcp.getLocalPort());
    }
  }

  @Test
  void aPortTakenForEitherTransportIsNotHeld() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
      assertThrows(BindException.class,
          () -> RingServer.PortHold.bind(new InetSocketAddress(LOOPBACK, listener.getLocalPort())).close());
      // The UDP half it had bound first was let go again.
      new DatagramSocket(new InetSocketAddress(LOOPBACK, listener.getLocalPort())).close();
    }
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      assertThrows(BindException.class,
          () -> RingServer.PortHold.bind(new InetSocketAddress(LOOPBACK, udp.getLocalPort())).close());
    }
  }
}
