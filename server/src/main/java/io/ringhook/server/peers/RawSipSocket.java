package io.ringhook.server.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A plain UDP socket on 127.0.0.1 for raw SIP: sends bytes no stack would produce (malformed,
 * truncated, oversized) and reads whatever comes back as text. Write {@link #port()} into the
 * message's Via so replies reach it.
 */
public final class RawSipSocket implements AutoCloseable {
  private final DatagramSocket socket;

  private RawSipSocket(DatagramSocket socket) {
    this.socket = socket;
  }

  /** Opens a socket on 127.0.0.1 with an ephemeral port. */
  public static RawSipSocket open() {
    try {
      return new RawSipSocket(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens a socket on {@code address} (e.g. 127.0.0.2, another loopback source) with an ephemeral port. */
  public static RawSipSocket open(InetAddress address) {
    try {
      return new RawSipSocket(new DatagramSocket(new InetSocketAddress(address, 0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the local port. */
  public int port() {
    return socket.getLocalPort();
  }

  /** Sends {@code bytes} as one datagram to {@code target}. */
  public void send(byte[] bytes, InetSocketAddress target) {
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, target));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code text} (use CRLF line ends) as one UTF-8 datagram to {@code target}. */
  public void send(String text, InetSocketAddress target) {
    send(text.getBytes(StandardCharsets.UTF_8), target);
  }

  /** Waits up to {@code timeout} for one datagram and returns it as UTF-8 text; empty on timeout. */
  public Optional<String> receive(Duration timeout) {
    byte[] buf = new byte[65536];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      socket.receive(p);
      return Optional.of(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
