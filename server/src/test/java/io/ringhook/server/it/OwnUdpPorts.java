package io.ringhook.server.it;

import io.ringhook.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The UDP ports this JVM has bound, read from Linux's {@code /proc}: the sockets in
 * {@code /proc/net/udp[6]} whose inode is one of this process's file descriptors. Lets a test
 * show that a server released its RTP ports, without being misled by other processes (another
 * test JVM's server may use an overlapping range at the same time).
 */
final class OwnUdpPorts {
  private OwnUdpPorts() {}

  /** Whether {@code /proc} can answer (Linux); elsewhere the checks are skipped. */
  static boolean supported() {
    return Files.isReadable(Path.of("/proc/net/udp")) && Files.isDirectory(Path.of("/proc/self/fd"));
  }

  /** The UDP ports in {@code [min, max]} bound by this JVM right now. */
  static Set<Integer> boundIn(int min, int max) {
    Set<String> inodes = ownSocketInodes();
    Set<Integer> ports = new TreeSet<>();
    for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
      Path p = Path.of(table);
      if (!Files.isReadable(p)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(p)) {
          String[] f = line.trim().split("\\s+");
          if (f.length < 10 || !f[1].contains(":")) {
            continue; // the header
          }
          int port = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
          if (port >= min && port <= max && inodes.contains(f[9])) {
            ports.add(port);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return ports;
  }

  /**
   * Waits up to {@code timeout} until this JVM has no UDP port bound in {@code [min, max]}; fails
   * the test, listing them, when some stay bound.
   */
  static void awaitNoneBound(int min, int max, Duration timeout, String what) throws InterruptedException {
    if (!supported()) {
      return;
    }
    Await.until(() -> what + ": UDP ports " + boundIn(min, max) + " in " + min + "-" + max + " still bound",
        timeout, () -> boundIn(min, max).isEmpty());
  }

  private static Set<String> ownSocketInodes() {
    Set<String> out = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      fds.forEach(fd -> {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            out.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // The descriptor was closed while listing.
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
