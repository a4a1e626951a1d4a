package io.ringhook.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP/1.1 server on 127.0.0.1 playing a customer's inbound call webhook in integration
 * tests: it records every request exactly as received (raw body bytes, headers, connection) and
 * answers each as the test's script says, now or later ({@link Reply#hold()}).
 *
 * <p>Written on plain sockets rather than {@code com.sun.net.httpserver} so a test can see the
 * moment the client closes a connection while its request is held: that is how ringhook aborts a
 * webhook request when the caller hangs up. One thread per connection: test code, few connections.
 */
final class TestWebhook implements AutoCloseable {
  /** One request as received. Header names are matched case-insensitively. */
  record Received(int index, int connection, String method, String target, Map<String, String> headers,
      byte[] body, long receivedNanos) {
    String header(String name) {
      return headers.get(name);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "#" + index + " (conn " + connection + ") " + method + " " + target + " " + headers + " " + bodyText();
    }
  }

  /** What to do with a request: answer it now, or hold it until the test releases it or the client gives up. */
  static final class Reply {
    final CompletableFuture<String> response = new CompletableFuture<>();

    /** Answers {@code status} with a JSON {@code body} ("" for none). */
    static Reply json(int status, String body) {
      Reply r = new Reply();
      r.response.complete(format(status, body));
      return r;
    }

    /** Answers nothing until {@link #release} is called (or forever): the call keeps ringing. */
    static Reply hold() {
      return new Reply();
    }

    /** Sends the held response now. */
    void release(int status, String body) {
      response.complete(format(status, body));
    }

    private static String format(int status, String body) {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      return "HTTP/1.1 " + status + " " + (status / 100 == 2 ? "OK" : "Scripted") + "\r\n"
          + "Content-Type: application/json\r\n"
          + "Content-Length: " + b.length + "\r\n\r\n" + body;
    }
  }

  private final ServerSocket server;
  private final Function<Received, Reply> script;
  private final List<Received> requests = new ArrayList<>();
  private final Map<Integer, Long> closedConnections = new ConcurrentHashMap<>();
  private final Map<Integer, Reply> replies = new ConcurrentHashMap<>();
  private final List<Socket> sockets = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  private TestWebhook(Function<Received, Reply> script) throws IOException {
    this.script = script;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.acceptor = new Thread(this::acceptLoop, "webhook-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a server whose every request gets {@code script}'s reply. */
  static TestWebhook start(Function<Received, Reply> script) {
    try {
      return new TestWebhook(script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns {@code http://127.0.0.1:<port><path>}. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  /** Returns the reply given to request {@code index} (0-based), e.g. to release a held one. */
  Reply reply(int index) {
    Reply r = replies.get(index);
    if (r == null) {
      throw new AssertionError("no request #" + index + "; got " + requests());
    }
    return r;
  }

  /** Returns every request so far, in arrival order. */
  synchronized List<Received> requests() {
    return List.copyOf(requests);
  }

  /** Waits until at least {@code count} requests have arrived and returns all so far; fails the test otherwise. */
  synchronized List<Received> awaitRequests(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (requests.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("webhook got " + requests.size() + " requests within " + timeout.toMillis()
            + " ms, expected " + count + ": " + requests);
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return List.copyOf(requests);
  }

  /** Waits until the client has closed the connection that carried {@code request}; fails the test otherwise. */
  synchronized void awaitConnectionClosed(Received request, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!closedConnections.containsKey(request.connection())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("the client did not close connection " + request.connection() + " of " + request
            + " within " + timeout.toMillis() + " ms");
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        int id = connections.incrementAndGet();
        synchronized (this) {
          sockets.add(s);
        }
        Thread t = new Thread(() -> serve(s, id), "webhook-conn-" + id);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        // Closed.
      }
    }
  }

  private void serve(Socket s, int connection) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      while (true) {
        Optional<Received> request = readRequest(in, connection);
        if (request.isEmpty()) {
          break; // the client closed the connection
        }
        Reply reply = script.apply(request.get());
        replies.put(request.get().index(), reply);
        if (!awaitReplyOrClose(s, in, reply)) {
          break;
        }
        out.write(reply.response.getNow(null).getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      // Reset by the client or closed by close(): counts as closed below.
    }
    synchronized (this) {
      closedConnections.put(connection, System.nanoTime());
      notifyAll();
    }
  }

  /** Returns true when the reply is ready, false when the client closed the connection first. */
  private boolean awaitReplyOrClose(Socket s, InputStream in, Reply reply) throws IOException {
    s.setSoTimeout(20);
    try {
      while (!reply.response.isDone()) {
        try {
          if (in.read() < 0) {
            return false;
          }
          // A client sends nothing while it waits for our response; ignore stray bytes.
        } catch (SocketTimeoutException e) {
          // Still open; look at the reply again.
        }
      }
      return true;
    } finally {
      s.setSoTimeout(0);
    }
  }

  private Optional<Received> readRequest(InputStream in, int connection) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null) {
      return Optional.empty();
    }
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.merge(line.substring(0, colon).trim(), line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
      }
    }
    if (line == null) {
      return Optional.empty();
    }
    int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      return Optional.empty();
    }
    String[] parts = requestLine.split(" ");
    synchronized (this) {
      Received r = new Received(requests.size(), connection, parts[0], parts.length > 1 ? parts[1] : "",
          java.util.Collections.unmodifiableMap(headers), body, System.nanoTime());
      requests.add(r);
      notifyAll();
      return Optional.of(r);
    }
  }

  /** Reads one CRLF-terminated line as ISO-8859-1; null at end of stream. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return null;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // Best effort.
    }
    synchronized (this) {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // Best effort.
        }
      }
    }
    replies.values().forEach(r -> r.response.complete("HTTP/1.1 503 Closing\r\nContent-Length: 0\r\n\r\n"));
    try {
      acceptor.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "TestWebhook[" + url("") + ", " + requests().size() + " requests, closed connections "
        + closedConnections.keySet() + "]";
  }
}
