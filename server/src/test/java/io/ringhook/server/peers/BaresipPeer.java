package io.ringhook.server.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One headless baresip process used as a SIP user agent in integration tests: it dials or
 * answers, plays a WAV file, a sine or silence, and records what it hears.
 *
 * <p>Each peer has its own temporary configuration directory and free SIP and control ports on
 * 127.0.0.1 (SIP on UDP and TCP). It is driven over ctrl_tcp on one persistent connection;
 * events (CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED, ...) and stdout lines (ANSI colours
 * stripped) are collected live for {@link #awaitEvent} and {@link #awaitLine}. Every wait that
 * times out fails with the peer's events and output in the message, and keeps its directory
 * (config, {@code out.log}, recordings) for inspection; otherwise {@link #close} deletes it.
 *
 * <pre>{@code
 * try (BaresipPeer a = BaresipPeer.builder("a").audioFile(wav).start()) {
 *   a.dial("sip:+15550001@127.0.0.1:" + serverPort);
 *   a.awaitEvent("CALL_ESTABLISHED", Duration.ofSeconds(5));
 *   a.awaitEvent("CALL_CLOSED", Duration.ofSeconds(10));
 *   Wav.Audio heard = a.heard();
 * }
 * }</pre>
 */
public final class BaresipPeer implements AutoCloseable {
  /** The default RTP port range of peers: clear of the server's default 20000-29999 and of {@link FreePorts}. */
  public static final String DEFAULT_RTP_PORTS = "30000-31999";

  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private final String name;
  private final Path dir;
  private final int sipPort;
  private final int ctrlPort;
  private final List<String> users;
  private final Process process;
  private final Inbox<String> output;
  private final Inbox<BaresipEvent> events;
  private final BaresipControl control;
  private final Thread outputReader;
  private volatile boolean keep;

  private BaresipPeer(String name, Path dir, int sipPort, int ctrlPort, List<String> users, Process process,
      Inbox<String> output, Inbox<BaresipEvent> events, BaresipControl control, Thread outputReader) {
    this.name = name;
    this.dir = dir;
    this.sipPort = sipPort;
    this.ctrlPort = ctrlPort;
    this.users = users;
    this.process = process;
    this.output = output;
    this.events = events;
    this.control = control;
    this.outputReader = outputReader;
  }

  /** Returns a builder for a peer called {@code name} (used in thread names and messages). */
  public static BaresipPeerBuilder builder(String name) {
    return new BaresipPeerBuilder(name);
  }

  /** Returns whether a {@code baresip} executable is on the PATH (see scripts/install-test-deps.sh). */
  public static boolean installed() {
    return BaresipPeerBuilder.executable().isPresent();
  }

  /** Starts a process as {@code builder} describes; called by {@link BaresipPeerBuilder#start()}. */
  static BaresipPeer launch(BaresipPeerBuilder b) throws IOException {
    String exe = BaresipPeerBuilder.executable().orElseThrow(() -> new IOException(
        "baresip is not installed: run scripts/install-test-deps.sh (Debian package baresip-core)"));
    Path dir = Files.createTempDirectory("baresip-" + b.name + "-");
    IOException last = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      int sip = FreePorts.consecutive(2, true); // SIP on UDP+TCP, TLS on the next port
      int ctrl;
      do {
        ctrl = FreePorts.consecutive(1, false);
      } while (ctrl == sip || ctrl == sip + 1);
      BaresipConfig.write(dir, sip, ctrl, b.rtpPorts, b.source, b.users, b.autoAnswer, b.codecs);
      List<String> cmd = new ArrayList<>(List.of(exe, "-f", dir.toAbsolutePath().toString()));
      if (b.sipTrace) {
        cmd.add("-s");
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      Inbox<String> output = new Inbox<>();
      Thread reader = startOutputReader(b.name, p.getInputStream(), output, dir.resolve("out.log"));
      Inbox<BaresipEvent> events = new Inbox<>();
      try {
        awaitReady(p, output, b.startTimeout);
        BaresipControl control = BaresipControl.connect(ctrl, Duration.ofSeconds(3),
            json -> events.add(BaresipEvent.of(json)), b.name);
        return new BaresipPeer(b.name, dir, sip, ctrl, List.copyOf(b.users), p, output, events, control, reader);
      } catch (IOException e) {
        kill(p);
        join(reader);
        String log = String.join("\n", output.all());
        last = new IOException("baresip peer '" + b.name + "' failed to start (attempt " + attempt
            + ", sip " + sip + ", ctrl " + ctrl + "): " + e.getMessage() + "\n--- output ---\n" + log, e);
        if (!log.contains("Address already in use") && !e.getMessage().contains("ctrl_tcp")) {
          break;
        }
      }
    }
    System.err.println("baresip peer '" + b.name + "' kept at " + dir);
    throw last;
  }

  private static void awaitReady(Process p, Inbox<String> output, Duration timeout) throws IOException {
    try {
      // A busy ctrl_tcp port is only logged ("ctrl_tcp: failed to listen ... Address already in
      // use") and baresip still gets ready; the line comes first, so the first match decides.
      Optional<String> line = output.findAny(l -> l.contains("baresip is ready.")
          || l.contains("Address already in use") || l.equals("<exit>"), timeout);
      if (line.isEmpty()) {
        throw new IOException("not ready after " + timeout.toMillis() + " ms");
      }
      if (!line.get().contains("ready")) {
        throw new IOException(line.get().equals("<exit>") ? "exited with code " + p.waitFor() : line.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static Thread startOutputReader(String name, InputStream in, Inbox<String> output, Path logFile) {
    Thread t = new Thread(() -> {
      boolean echo = Boolean.getBoolean("ringhook.peerOutput");
      try (in; Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
        StringBuilder line = new StringBuilder();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
          // The menu echoes typed commands with '\r'; treat it as a line end too.
          for (String piece : new String(buf, 0, n, StandardCharsets.UTF_8).split("(?<=[\r\n])")) {
            line.append(piece);
            char last = line.charAt(line.length() - 1);
            if (last == '\n' || last == '\r') {
              String clean = ANSI.matcher(line).replaceAll("").strip();
              line.setLength(0);
              if (!clean.isEmpty()) {
                log.write(clean + "\n");
                log.flush();
                output.add(clean);
                if (echo) {
                  System.out.println("[" + name + "] " + clean);
                }
              }
            }
          }
        }
      } catch (IOException e) {
        output.add("<output read failed: " + e + ">");
      }
      output.add("<exit>");
    }, "baresip-out-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Returns this peer's name. */
  public String name() {
    return name;
  }

  /** Returns the SIP port (UDP and TCP) on 127.0.0.1. */
  public int sipPort() {
    return sipPort;
  }

  /** Returns the ctrl_tcp port on 127.0.0.1. */
  public int ctrlPort() {
    return ctrlPort;
  }

  /** Returns the SIP URI of this peer's first account, e.g. {@code sip:alice@127.0.0.1:12345}. */
  public String uri() {
    return uri(users.get(0));
  }

  /** Returns the SIP URI that reaches {@code user} on this peer. */
  public String uri(String user) {
    return "sip:" + user + "@127.0.0.1:" + sipPort;
  }

  /** Returns the configuration directory (config, accounts, out.log, rec/). */
  public Path dir() {
    return dir;
  }

  /** Returns the directory sndfile records into. */
  public Path recordingDir() {
    return dir.resolve("rec");
  }

  /** Dials {@code uri} (e.g. {@code sip:+15550001@127.0.0.1:5070}, add {@code ;transport=tcp} for TCP). */
  public void dial(String uri) {
    command("dial", Objects.requireNonNull(uri, "uri"));
  }

  /** Hangs up the current call (BYE when established, CANCEL while ringing out, 486 when ringing in). */
  public void hangup() {
    command("hangup", "");
  }

  /** Answers the ringing incoming call (with answer mode manual). */
  public void accept() {
    command("accept", "");
  }

  /** Asks baresip to quit; see {@link #close()} for the bounded wait. */
  public void quit() {
    command("quit", "");
  }

  /**
   * Sends a ctrl_tcp command (a menu command without the slash) and returns baresip's
   * {@code data}; fails the test when baresip answers {@code ok:false} or not at all.
   */
  public String command(String command, String params) {
    try {
      var reply = control.command(command, params, COMMAND_TIMEOUT);
      if (!reply.path("ok").asBoolean(false)) {
        throw failure("command " + command + " " + params + " failed: " + reply);
      }
      return reply.path("data").asText("");
    } catch (IOException | TimeoutException e) {
      throw failure("command " + command + " " + params + " got no response (" + e + ")");
    }
  }

  /** Waits for the next not-yet-awaited event of {@code type} (e.g. CALL_CLOSED) and returns it. */
  public BaresipEvent awaitEvent(String type, Duration timeout) {
    return withKeepOnFailure(() -> events.take(e -> e.type().equals(type), timeout,
        () -> "event " + type + " on " + this.describe()));
  }

  /** Like {@link #awaitEvent} but returns empty on timeout: for asserting that something did not happen. */
  public Optional<BaresipEvent> pollEvent(String type, Duration timeout) {
    try {
      return events.poll(e -> e.type().equals(type), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Returns every event received so far, oldest first. */
  public List<BaresipEvent> events() {
    return events.all();
  }

  /** Waits until a stdout line matches {@code pattern} (find, not full match) and returns that line. */
  public String awaitLine(Pattern pattern, Duration timeout) {
    return withKeepOnFailure(() -> output.find(l -> pattern.matcher(l).find(), timeout,
        () -> "output line /" + pattern + "/ on " + this.describe()));
  }

  /** Returns the stdout lines so far, ANSI codes stripped, blank lines dropped. */
  public List<String> output() {
    return output.all();
  }

  /** Returns the newest recording of what this peer heard ({@code *-dec.wav}). */
  public Path decodedRecording() {
    return newestRecording("-dec.wav");
  }

  /** Returns the newest recording of what this peer sent ({@code *-enc.wav}). */
  public Path encodedRecording() {
    return newestRecording("-enc.wav");
  }

  /** Reads the newest decoded recording, first waiting up to 2 s for sndfile to finish writing it. */
  public Wav.Audio heard() {
    return readFinished(decodedRecording());
  }

  /** Reads the newest encoded recording, first waiting up to 2 s for sndfile to finish writing it. */
  public Wav.Audio sent() {
    return readFinished(encodedRecording());
  }

  private Path newestRecording(String suffix) {
    try (Stream<Path> files = Files.list(recordingDir())) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix))
          .max(Comparator.comparing(p -> p.getFileName().toString()))
          .orElseThrow(() -> failure("no *" + suffix + " recording in " + recordingDir()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Wav.Audio readFinished(Path file) {
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      // libsndfile patches the RIFF sizes when the call ends; until then the header says 0.
      while (!headerComplete(file) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      return Wav.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean headerComplete(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    if (b.length < 8) {
      return false;
    }
    long riff = (b[4] & 0xFFL) | (b[5] & 0xFFL) << 8 | (b[6] & 0xFFL) << 16 | (b[7] & 0xFFL) << 24;
    return riff + 8 == b.length;
  }

  /** Keeps the directory after {@link #close()} (call when a test fails for another reason). */
  public void keep() {
    keep = true;
  }

  /** Returns the name, ports, events and the last output lines, for assertion messages. */
  public String describe() {
    List<String> lines = output.all();
    return "baresip peer '" + name + "' (sip 127.0.0.1:" + sipPort + ", dir " + dir + ")\n  events: " + events.all()
        + "\n  last output:\n    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Returns whether the process is still running. */
  public boolean alive() {
    return process.isAlive();
  }

  /**
   * Quits baresip (waiting up to 3 s: it may wait for a pending INVITE transaction for 32 s),
   * then kills the process and its children, and deletes the directory unless it is kept
   * (a wait on this peer failed, {@link #keep()} was called, or {@code -Dringhook.keepPeers=true}).
   */
  @Override
  public void close() {
    try {
      if (process.isAlive() && control.connected()) {
        try {
          control.command("quit", "", Duration.ofSeconds(1));
        } catch (IOException | TimeoutException e) {
          // Killed below.
        }
      }
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        kill(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    } finally {
      control.close();
      join(outputReader);
    }
    if (keep || Boolean.getBoolean("ringhook.keepPeers")) {
      System.err.println("baresip peer '" + name + "' kept at " + dir);
    } else {
      deleteTree(dir);
    }
  }

  private AssertionError failure(String message) {
    keep = true;
    return new AssertionError(message + "\n" + describe());
  }

  private <T> T withKeepOnFailure(java.util.function.Supplier<T> wait) {
    try {
      return wait.get();
    } catch (AssertionError e) {
      keep = true;
      throw e;
    }
  }

  static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroy();
    try {
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static void join(Thread t) {
    try {
      t.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }

  @Override
  public String toString() {
    return "BaresipPeer[" + name + " sip=" + sipPort + " ctrl=" + ctrlPort + "]";
  }
}
