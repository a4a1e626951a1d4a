package io.ringhook.server.it;

import io.ringhook.server.peers.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The runnable {@code ringhook.jar} as an operator starts it: its own process, a configuration file
 * on free loopback ports, its own SQLite file, its log in a file. Closing kills it.
 */
final class RingJar implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(40);

  private final Process process;
  private final int sip;
  private final int http;
  private final Path log;

  private RingJar(Process process, int sip, int http, Path log) {
    this.process = process;
    this.sip = sip;
    this.http = http;
    this.log = log;
  }

  /**
   * Starts the jar with the base settings (ports, records in {@code dir}) plus {@code extraYaml}
   * (other top-level keys), {@code env} added to its environment; returns once it is ready.
   */
  static RingJar start(Path dir, String extraYaml, Map<String, String> env) throws IOException, InterruptedException {
    int sip = FreePorts.udpAndTcp();
    int http = FreePorts.udpAndTcp();
    int rtpMin = 9000 + 200 * ThreadLocalRandom.current().nextInt(0, 5);
    Path config = Files.writeString(dir.resolve("ringhook.yaml"), ""
        + "sip: {host: 127.0.0.1, port: " + sip + "}\n"
        + "rtp: {host: 127.0.0.1, port_min: " + rtpMin + ", port_max: " + (rtpMin + 99) + "}\n"
        + "http: {host: 127.0.0.1, port: " + http + "}\n"
        + "records: {url: \"jdbc:sqlite:" + dir.resolve("records.db") + "\"}\n"
        + extraYaml);
    Path log = dir.resolve("ringhook.log");
    ProcessBuilder pb = new ProcessBuilder("java", "-jar", System.getProperty("ringhook.jar", "target/ringhook.jar"),
        "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    RingJar jar = new RingJar(pb.start(), sip, http, log);
    jar.awaitLog(l -> l.contains("ready: SIP"), START);
    return jar;
  }

  int sipPort() {
    return sip;
  }

  int httpPort() {
    return http;
  }

  /** {@code sip:<user>@127.0.0.1:<sip port>}. */
  String uri(String user) {
    return "sip:" + user + "@127.0.0.1:" + sip;
  }

  /** The server's log so far. */
  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  void awaitLog(Predicate<String> line, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readAllLines(log).stream().anyMatch(line)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("ringhook exited " + process.exitValue() + ":\n" + log());
      }
      Thread.sleep(100);
    }
    throw new AssertionError("log line not seen within " + timeout + "; log:\n" + log());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
