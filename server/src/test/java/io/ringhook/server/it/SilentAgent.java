package io.ringhook.server.it;

import io.ringhook.server.peers.Inbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent that accepts TCP connections and never answers the WebSocket upgrade: what a hung
 * agent process looks like. Records when each connection came in and whether it was closed.
 */
final class SilentAgent implements AutoCloseable {
  private final ServerSocket socket;
  private final Inbox<Long> accepted = new Inbox<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  SilentAgent() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(() -> {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          open.add(s);
          accepted.add(System.nanoTime());
        } catch (IOException e) {
          return; // closed
        }
      }
    }, "silent-agent");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI url() {
    return URI.create("ws://127.0.0.1:" + socket.getLocalPort() + TestAgent.PATH);
  }

  /** Waits for the next accepted connection and returns its {@link System#nanoTime()}. */
  long awaitConnection(Duration timeout) {
    return accepted.take(t -> true, timeout, () -> "a TCP connection to the silent agent " + url());
  }

  /** Whether ringhook closed the connection it made (reading shows end of stream). */
  boolean closedByPeer(Socket s, Duration timeout) throws IOException {
    s.setSoTimeout((int) timeout.toMillis());
    try {
      while (s.getInputStream().read() >= 0) {
        // An upgrade request; keep reading until the end.
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    }
  }

  List<Socket> connections() {
    return List.copyOf(open);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
