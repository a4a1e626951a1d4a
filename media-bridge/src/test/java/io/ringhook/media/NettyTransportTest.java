package io.ringhook.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport follows the event-loop group, and a call's RTP works on the native epoll loops the
 * server runs on Linux (the server's ITs run the rest of the call path on them).
 */
class NettyTransportTest {
  @RegisterExtension
  static final EventLoops NIO = new EventLoops(1);
  @RegisterExtension
  static final EventLoops EPOLL = new EventLoops(1, EpollIoHandler.newFactory());

  @Test
  void onLinuxTheServerGetsEpollAndSaysSo() {
    // CI and every supported box is Linux x86-64 with the native library on the class path: if it
    // stops loading, the server silently falls back to NIO, which this makes loud.
    assertTrue(Epoll.isAvailable(), "epoll unavailable: " + Epoll.unavailabilityCause());
    assertEquals("epoll (native)", NettyTransport.describe());
  }

  @Test
  void channelClassesFollowTheGroup() {
    assertEquals(EpollDatagramChannel.class, NettyTransport.datagramChannel(EPOLL.group()));
    assertEquals(EpollSocketChannel.class, NettyTransport.socketChannel(EPOLL.group()));
    assertEquals(EpollServerSocketChannel.class, NettyTransport.serverSocketChannel(EPOLL.group().next()));
    assertEquals(NioDatagramChannel.class, NettyTransport.datagramChannel(NIO.group()));
    assertEquals(NioSocketChannel.class, NettyTransport.socketChannel(NIO.group().next()));
    assertEquals(NioServerSocketChannel.class, NettyTransport.serverSocketChannel(NIO.group()));
  }

  @Test
  void aCallsRtpRunsOnEpollLoops() throws Exception {
    int base = UdpTestSupport.freeEvenBase(2);
    RtpEndpoints endpoints = RtpEndpoints.create(new RtpSettings("127.0.0.1", base, base + 2, Duration.ofSeconds(30)),
        EPOLL.group(), Ticker.systemTicker());
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
