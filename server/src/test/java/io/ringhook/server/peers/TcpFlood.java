package io.ringhook.server.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Many plain TCP connections from one local address to a SIP port, as a hostile host opens them:
 * idle, or with the start of a message that never ends. Counts how many the server has closed.
 */
public final class TcpFlood implements AutoCloseable {
  private final List<SocketChannel> sockets = new ArrayList<>();

  private TcpFlood() {
  }

  /**
   * Opens {@code n} connections from {@code from} (e.g. 127.0.0.2) to {@code target}, writing
   * {@code prefix} (which may be empty) on each; a connection the server refuses at once counts
   * as opened too and shows up in {@link #closedByServer()}.
   */
  public static TcpFlood open(InetAddress from, InetSocketAddress target, int n, String prefix) {
    TcpFlood flood = new TcpFlood();
    byte[] bytes = prefix.getBytes(StandardCharsets.US_ASCII);
    try {
      for (int i = 0; i < n; i++) {
        SocketChannel s = SocketChannel.open();
        flood.sockets.add(s);
        s.setOption(StandardSocketOptions.SO_LINGER, 0); // no TIME_WAIT left behind on the test box
        s.bind(new InetSocketAddress(from, 0));
        s.connect(target);
        if (bytes.length > 0) {
          try {
            s.write(ByteBuffer.wrap(bytes));
          } catch (IOException e) {
            // already reset by the server: counted by closedByServer()
          }
        }
        s.configureBlocking(false);
      }
    } catch (IOException e) {
      flood.close();
      throw new UncheckedIOException(e);
    }
    return flood;
  }

  /** How many connections were opened. */
  public int size() {
    return sockets.size();
  }

  /** How many connections the server has closed or reset (a read sees end of stream or an error). */
  public int closedByServer() {
    int closed = 0;
    ByteBuffer buf = ByteBuffer.allocate(4096);
    for (SocketChannel s : sockets) {
      try {
        buf.clear();
        int n;
        do {
          n = s.read(buf);
          buf.clear();
        } while (n > 0);
        if (n < 0) {
          closed++;
        }
      } catch (IOException e) {
        closed++;
      }
    }
    return closed;
  }

  @Override
  public void close() {
    for (SocketChannel s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing a test socket: nothing to do
      }
    }
  }
}
