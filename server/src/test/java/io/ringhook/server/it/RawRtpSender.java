package io.ringhook.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * An RTP sender whose every header field is the test's choice (sequence number, timestamp, SSRC,
 * marker), for streams a well-behaved peer would not send: reordered, duplicated, with gaps, with
 * a new SSRC mid-call, RFC 4733 events that share one timestamp. One UDP socket on 127.0.0.1.
 */
final class RawRtpSender implements AutoCloseable {
  private final DatagramSocket socket;

  RawRtpSender() {
    try {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The local port: put it in the SDP so that symmetric RTP answers here. */
  int port() {
    return socket.getLocalPort();
  }

  /** Sends one RTP packet with exactly these header fields. */
  void send(InetSocketAddress to, int payloadType, boolean marker, int sequence, long timestamp, long ssrc,
      byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
    b.put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F)))
        .putShort((short) sequence).putInt((int) timestamp).putInt((int) ssrc).put(payload);
    try {
      socket.send(new DatagramPacket(b.array(), b.capacity(), to));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send RTP to " + to, e);
    }
  }

  @Override
  public void close() {
    socket.close();
  }

  @Override
  public String toString() {
    return "RawRtpSender[127.0.0.1:" + port() + "]";
  }
}
