package io.ringhook.server.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Kamailio (Debian's package) running the project's own {@code deploy/kamailio/kamailio.cfg}
 * in front of ringhook instances on loopback. The test's values (ports, list files, short probe
 * intervals) reach the file as {@code -A NAME=VALUE} defines, so the deployed file is the one
 * tested. The dispatcher list and the trunk list are written into the test's directory.
 */
final class KamailioFront implements AutoCloseable {
  private static final String BINARY = "/usr/sbin/kamailio";
  private static final Duration START_WAIT = Duration.ofSeconds(20);

  private final Process process;
  private final int port;
  private final Path log;

  private KamailioFront(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts Kamailio on 127.0.0.1:{@code port} with {@code instances} (SIP ports on 127.0.0.1) as
   * its dispatcher set, {@code trunks} (addresses) as its trunk group, and {@code defines} over the
   * file's defaults; waits until it answers an OPTIONS from a trunk address.
   */
  static KamailioFront start(Path dir, int port, List<Integer> instances, List<String> trunks,
                             Map<String, String> defines) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new AssertionError(BINARY + " is missing: scripts/install-test-deps.sh installs Debian's kamailio package");
    }
    Path cfg = Path.of(System.getProperty("ringhook.kamailio.cfg", "../deploy/kamailio/kamailio.cfg")).toAbsolutePath();
    if (!Files.isReadable(cfg)) {
      throw new AssertionError("no Kamailio configuration at " + cfg);
    }
    Path dispatcherList = dir.resolve("dispatcher.list");
    StringBuilder ds = new StringBuilder();
    for (int p : instances) {
      ds.append("1 sip:127.0.0.1:").append(p).append(" 0 0\n");
    }
    Files.writeString(dispatcherList, ds);
    Path trunksList = dir.resolve("trunks.list");
    StringBuilder tl = new StringBuilder();
    for (String t : trunks) {
      tl.append("1 ").append(t).append(" 32\n");
    }
    Files.writeString(trunksList, tl);

    List<String> cmd = new ArrayList<>(List.of(BINARY, "-DD", "-E", "-f", cfg.toString(),
        "-Y", dir.toString(), "-P", dir.resolve("kamailio.pid").toString(), "-m", "32", "-M", "4",
        "-A", "LISTEN_IP=127.0.0.1", "-A", "SIP_PORT=" + port,
        "-A", "DS_LIST_FILE=\"" + dispatcherList + "\"", "-A", "TRUNKS_FILE=\"" + trunksList + "\"",
        "-A", "CTL_SOCKET=\"unix:" + dir.resolve("kamailio_ctl") + "\""));
    defines.forEach((k, v) -> cmd.addAll(List.of("-A", k + "=" + v)));
    Path log = dir.resolve("kamailio.log");
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    KamailioFront front = new KamailioFront(process, port, log);
    try {
      front.awaitOptions();
    } catch (AssertionError | IOException e) {
      front.close();
      throw e;
    }
    return front;
  }

  /** The proxy's SIP port on 127.0.0.1: the carriers' target. */
  int port() {
    return port;
  }

  /** Everything Kamailio logged so far. */
  String log() throws IOException {
    return Files.readString(log);
  }

  /** How many lines of the log contain {@code text}. */
  long logLines(String text) throws IOException {
    return Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
  }

  /** Sends an OPTIONS from {@code source} (an address of the loopback) and returns the status line, or empty text on silence. */
  String optionsFrom(String source, Duration timeout) throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0))) {
      s.setSoTimeout((int) timeout.toMillis());
      String msg = "OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP " + source + ":" + s.getLocalPort() + ";branch=z9hG4bK" + UUID.randomUUID() + ";rport\r\n"
          + "Max-Forwards: 70\r\n"
          + "From: <sip:probe@" + source + ">;tag=" + UUID.randomUUID() + "\r\n"
          + "To: <sip:127.0.0.1:" + port + ">\r\n"
          + "Call-ID: " + UUID.randomUUID() + "\r\n"
          + "CSeq: 1 OPTIONS\r\n"
          + "Content-Length: 0\r\n\r\n";
      byte[] out = msg.getBytes(StandardCharsets.US_ASCII);
      s.send(new DatagramPacket(out, out.length, new InetSocketAddress("127.0.0.1", port)));
      byte[] in = new byte[4096];
      DatagramPacket reply = new DatagramPacket(in, in.length);
      try {
        s.receive(reply);
      } catch (SocketTimeoutException e) {
        return "";
      }
      String text = new String(in, 0, reply.getLength(), StandardCharsets.US_ASCII);
      return text.substring(0, Math.max(0, text.indexOf("\r\n")));
    }
  }

  private void awaitOptions() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("kamailio exited " + process.exitValue() + ":\n" + log());
      }
      if (optionsFrom("127.0.0.1", Duration.ofMillis(300)).startsWith("SIP/2.0 200")) {
        return;
      }
    }
    throw new AssertionError("kamailio did not answer OPTIONS within " + START_WAIT + ":\n" + log());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
