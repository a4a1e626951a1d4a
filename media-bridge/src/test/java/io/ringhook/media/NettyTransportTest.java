package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Ticker;
import io.ringhook.sip.MediaParams;
import io.ringhook.sip.MediaParams.Direction;
import io.ringhook.testing.Await;
import io.ringhook.testing.EventLoops;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport follows the event-loop group, and a call's RTP works on the native epoll loops the
 * server runs on Linux (the server's ITs run the rest of the call path on them).
 */
class NettyTransportTest {
  /** Where the build ships the native library: there it must load (elsewhere the server runs NIO). */
  private static final boolean LINUX_X86_64 = System.getProperty("os.name").equals("Linux")
      && System.getProperty("os.arch").equals("amd64");
  @RegisterExtension
  static final EventLoops NIO = new EventLoops(1);
  private static EventLoopGroup epoll;

  @BeforeAll
  static void epollLoops() {
    if (LINUX_X86_64) {
      epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }
  }

  @AfterAll
  static void stopLoops() {
    if (epoll != null) {
      epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @BeforeEach
  void onlyWhereTheNativeLibraryShips() {
    assumeTrue(LINUX_X86_64, "epoll's native library ships for Linux x86-64 only");
  }

  @Test
  void onLinuxTheServerGetsEpollAndSaysSo() {
    // CI and the reference boxes are Linux x86-64 with the native library on the class path: if it
    // stops loading, the server silently falls back to NIO, which this makes loud.
    assertTrue(Epoll.isAvailable(), "epoll unavailable: " + Epoll.unavailabilityCause());
    assertEquals("epoll (native)", NettyTransport.describe());
  }

  @Test
  void channelClassesFollowTheGroup() {
    assertEquals(EpollDatagramChannel.class, NettyTransport.datagramChannel(epoll));
    assertEquals(EpollSocketChannel.class, NettyTransport.socketChannel(epoll));
    assertEquals(EpollServerSocketChannel.class, NettyTransport.serverSocketChannel(epoll.next()));
    assertEquals(NioDatagramChannel.class, NettyTransport.datagramChannel(NIO.group()));
    assertEquals(NioSocketChannel.class, NettyTransport.socketChannel(NIO.group().next()));
    assertEquals(NioServerSocketChannel.class, NettyTransport.serverSocketChannel(NIO.group()));
  }

  @Test
  void aCallsRtpRunsOnEpollLoops() throws Exception {
    int base = UdpTestSupport.freeEvenBase(2);
    RtpEndpoints endpoints = RtpEndpoints.create(new RtpSettings("127.0.0.1", base, base + 2, Duration.ofSeconds(30)),
        epoll, Ticker.systemTicker());
    RtpEndpoint endpoint = endpoints.open("epoll-1").get(5, TimeUnit.SECONDS);
    try (DatagramSocket caller = new DatagramSocket(new InetSocketAddress(UdpTestSupport.LOOPBACK, 0))) {
      endpoint.start(new MediaParams((InetSocketAddress) caller.getLocalSocketAddress(), 0, 101, Direction.SENDRECV),
          new RtpEvents() {
            @Override
            public void onAudio(AudioFrame frame) {
              endpoint.send(Unpooled.wrappedBuffer(frame.payload()), frame.codec());
            }

            @Override
            public void onTimeout(Duration silentFor) {}
          });
      InetSocketAddress target = new InetSocketAddress(UdpTestSupport.LOOPBACK, endpoint.localPort());
      for (int i = 0; i < 5; i++) {
        byte[] payload = new byte[160];
        Arrays.fill(payload, (byte) (i + 1));
        byte[] rtp = UdpTestSupport.rtp(0, 100 + i, 160L * i, 0x1234, i == 0, payload);
        caller.send(new DatagramPacket(rtp, rtp.length, target));
      }
      caller.setSoTimeout(5000);
      for (int i = 0; i < 5; i++) {
        DatagramPacket d = new DatagramPacket(new byte[1500], 1500);
        caller.receive(d);
        assertEquals(target.getPort(), d.getPort(), "sent from the call's RTP port");
        RtpPacket p = assertInstanceOf(RtpPacket.class,
            RtpCodec.decode(Unpooled.wrappedBuffer(d.getData(), d.getOffset(), d.getLength())));
        byte[] expected = new byte[160];
        Arrays.fill(expected, (byte) (i + 1));
        assertArrayEquals(expected, p.payload(), "packet " + i + " echoed in order, unchanged");
      }
    } finally {
      endpoint.close("test over");
    }
    Await.until("RTP port released", Duration.ofSeconds(5), () -> endpoints.portsInUse() == 0);
  }
}
