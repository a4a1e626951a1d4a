package io.ringhook.server.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The one persistent ctrl_tcp connection to a baresip process: netstring-framed JSON
 * ({@code <len>:<json>,}) both ways. ctrl_tcp serves a single client (a second connection closes
 * the first), so commands and events share this connection; a reader thread routes responses to
 * the waiting command by token and events to {@code onEvent}.
 */
final class BaresipControl implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FRAME = 1 << 20;

  private final Socket socket;
  private final OutputStream out;
  private final Consumer<JsonNode> onEvent;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger tokens = new AtomicInteger();
  private final Thread reader;
  private volatile boolean closing;

  private BaresipControl(Socket socket, Consumer<JsonNode> onEvent, String name) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.onEvent = onEvent;
    InputStream in = new BufferedInputStream(socket.getInputStream());
    this.reader = new Thread(() -> readLoop(in), "baresip-ctrl-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects to ctrl_tcp on 127.0.0.1:{@code port}, retrying until {@code timeout} (it may still be starting). */
  static BaresipControl connect(int port, Duration timeout, Consumer<JsonNode> onEvent, String name)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return new BaresipControl(s, onEvent, name);
      } catch (IOException e) {
        s.close();
        if (System.nanoTime() > deadline) {
          throw new IOException("cannot connect to baresip ctrl_tcp on 127.0.0.1:" + port, e);
        }
        sleep(50);
      }
    }
  }

  /**
   * Sends {@code command} with {@code params} and waits for baresip's response, e.g.
   * {@code {"response":true,"ok":true,"data":"","token":"1"}}.
   */
  JsonNode command(String command, String params, Duration timeout) throws IOException, TimeoutException {
    String token = Integer.toString(tokens.incrementAndGet());
    ObjectNode msg = JSON.createObjectNode().put("command", command).put("token", token);
    if (params != null && !params.isEmpty()) {
      msg.put("params", params);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(token, reply);
    byte[] body = JSON.writeValueAsBytes(msg);
    synchronized (out) {
      out.write((body.length + ":").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.write(',');
      out.flush();
    }
    try {
      return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("ctrl_tcp connection lost before the response to " + command, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the response to " + command, e);
    } finally {
      pending.remove(token);
    }
  }

  boolean connected() {
    return reader.isAlive();
  }

  private void readLoop(InputStream in) {
    try {
      while (true) {
        JsonNode msg = JSON.readTree(readFrame(in));
        if (msg.path("response").asBoolean(false)) {
          CompletableFuture<JsonNode> f = pending.get(msg.path("token").asText());
          if (f != null) {
            f.complete(msg);
          }
        } else if (msg.path("event").asBoolean(false)) {
          onEvent.accept(msg);
        }
      }
    } catch (IOException | RuntimeException e) {
      IOException lost = new IOException(closing ? "closed" : "ctrl_tcp connection ended: " + e, e);
      pending.values().forEach(f -> f.completeExceptionally(lost));
    }
  }

  private static byte[] readFrame(InputStream in) throws IOException {
    int len = 0;
    int c;
    int digits = 0;
    while ((c = in.read()) != ':') {
      if (c < 0) {
        throw new EOFException("end of stream");
      }
      if (c < '0' || c > '9' || ++digits > 7) {
        throw new IOException("bad netstring length byte " + c);
      }
      len = len * 10 + (c - '0');
    }
    if (len > MAX_FRAME) {
      throw new IOException("netstring of " + len + " bytes");
    }
    byte[] body = in.readNBytes(len);
    if (body.length != len || in.read() != ',') {
      throw new IOException("truncated netstring");
    }
    return body;
  }

  @Override
  public void close() {
    closing = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
    try {
      reader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
