package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.peers.FreePorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures of the real jar (issue 13, item 10): a busy HTTP port is one line naming the
 * address and port and a non-zero exit, like a busy SIP port; never a stack trace and a JVM that
 * stays up with no sockets.
 */
class StartupIT {
  @TempDir
  Path dir;

  @Test
  void aBusyHttpPortIsOneLineAndExitStatusOne() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int http = taken.getLocalPort();
      List<String> lines = runUntilExit(FreePorts.udpAndTcp(), http, "", "its HTTP port taken");
      assertOneErrorLine(lines, "cannot listen for HTTP on 127.0.0.1:" + http);
    }
  }

  @Test
  void aBusySipPortIsReportedBeforeTheWarmUpNotAfterIt() throws Exception {
    try (java.net.DatagramSocket taken = new java.net.DatagramSocket(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      int sip = taken.getLocalPort();
      // The 30 s wait of runUntilExit ends well before the minute of warm-up would have.
      List<String> lines = runUntilExit(sip, FreePorts.udpAndTcp(), "startup: {warmup: 1m}\n", "its SIP port taken");
      assertOneErrorLine(lines, "cannot listen for SIP on 127.0.0.1:" + sip);
      assertTrue(lines.stream().noneMatch(l -> l.contains("warm-up:")), "no warm-up ran:\n" + String.join("\n", lines));
    }
  }

  /** Runs the jar on loopback with these ports (and {@code extra} YAML) and waits for it to exit: its log lines. */
  private List<String> runUntilExit(int sip, int http, String extra, String why) throws Exception {
    Path config = Files.writeString(dir.resolve("ringhook.yaml"), ""
        + "sip: {host: 127.0.0.1, port: " + sip + "}\n"
        + "rtp: {host: 127.0.0.1, port_min: 9600, port_max: 9699}\n"
        + "http: {host: 127.0.0.1, port: " + http + "}\n"
        + "records: {url: \"jdbc:sqlite:" + dir.resolve("records.db") + "\"}\n"
        + extra);
    JarRun.Exit exit = JarRun.run(dir, "java", List.of(), List.of("--config", config.toString()), Duration.ofSeconds(30));
    assertEquals(1, exit.status(), "exit status with " + why + ":\n" + exit.log());
    return exit.lines();
  }

  /** Exactly one ERROR line, saying {@code expected}, and no stack trace. */
  private static void assertOneErrorLine(List<String> lines, String expected) {
    List<String> errors = lines.stream().filter(l -> l.contains("ERROR")).toList();
    assertEquals(1, errors.size(), String.join("\n", lines));
    assertTrue(errors.get(0).contains(expected), errors.get(0));
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread")),
        "no stack trace:\n" + String.join("\n", lines));
  }
}
