package io.ringhook.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/** Helpers for tests on real loopback sockets. */
final class UdpTestSupport {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private UdpTestSupport() {
  }

  /**
   * An even port from which {@code evenPorts} even ports were free a moment ago (the OS picked it
   * for us). Another process may take one meanwhile; the code under test copes with that by design.
   */
  static int freeEvenBase(int evenPorts) {
    for (int attempt = 0; attempt < 20; attempt++) {
      int base;
      try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
        base = probe.getLocalPort() & ~1;
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
      if (base + 2 * evenPorts <= 65535 && allFree(base, evenPorts)) {
        return base;
      }
    }
    throw new IllegalStateException("no free run of " + evenPorts + " even ports found");
  }

  private static boolean allFree(int base, int evenPorts) {
    for (int i = 0; i < evenPorts; i++) {
      try {
        new DatagramSocket(new InetSocketAddress(LOOPBACK, base + 2 * i)).close();
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  static byte[] rtp(int pt, int seq, long ts, long ssrc, boolean marker, byte[] payload) {
    ByteBuf buf = RtpCodec.encode(UnpooledByteBufAllocator.DEFAULT,
        new RtpPacket(marker, pt, seq & 0xFFFF, ts & 0xFFFFFFFFL, ssrc, payload));
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return bytes;
  }
}
