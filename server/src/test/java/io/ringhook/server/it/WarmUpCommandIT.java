package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar ringhook.jar warm-up}: the start-up warm-up alone, then exit, which scripts/run.sh uses as
 * the training run of a Java 25 ahead-of-time cache. Run as the script runs it, the jar in a process of its own.
 */
class WarmUpCommandIT {
  private static final Pattern LINE = Pattern.compile("warm-up: (\\d+) synthetic calls through the call path .* "
      + "(\\d+) ended with BYE");
  @TempDir
  Path dir;

  @Test
  void itRunsTheWarmUpAndExitsLeavingNothingBehind() throws Exception {
    List<String> lines = run("java");
    Matcher m = warmUpLine(lines);
    assertTrue(Integer.parseInt(m.group(1)) >= 100 && Integer.parseInt(m.group(2)) > 0, m.group());
    // No server of its own (its ports were taken, see run): no records file was opened either.
    assertTrue(lines.stream().noneMatch(l -> l.contains("SIP listening") || l.contains("ready: SIP")),
        String.join("\n", lines));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("ringhook.log", "ringhook.yaml"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void onJava25ItTrainsAnAheadOfTimeCacheTheNextStartCanUse() throws Exception {
    Optional<Path> java25 = java25();
    Assumptions.assumeTrue(java25.isPresent(), "no Java 25 or later under /usr/lib/jvm");
    Path cache = dir.resolve("ringhook.aot");
    warmUpLine(run(java25.get().toString(), "-XX:AOTCacheOutput=" + cache));
    assertTrue(Files.size(cache) > 1_000_000, "the cache was written: " + Files.size(cache));
    // AOTMode=on: the JVM refuses to start when the cache does not fit this jar and JVM.
    JarRun.Exit version = JarRun.run(dir, java25.get().toString(), List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on"),
        List.of("--version"), Duration.ofSeconds(30));
    assertEquals(0, version.status(), version.log());
    assertTrue(version.log().startsWith("ringhook "), version.log());
  }

  /** Runs {@code java [jvmOptions] -jar ringhook.jar warm-up --config FILE} in {@link #dir} until it exits 0. */
  private List<String> run(String java, String... jvmOptions) throws IOException, InterruptedException {
    // The configured SIP and HTTP ports are held here: the command must not need them (a server on the machine).
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (DatagramSocket sip = new DatagramSocket(new InetSocketAddress(loopback, 0));
         ServerSocket http = new ServerSocket(0, 1, loopback)) {
      return run(java, sip.getLocalPort(), http.getLocalPort(), jvmOptions);
    }
  }

  private List<String> run(String java, int sipPort, int httpPort, String... jvmOptions)
      throws IOException, InterruptedException {
    Path config = Files.writeString(dir.resolve("ringhook.yaml"), ""
        + "sip: {host: 127.0.0.1, port: " + sipPort + "}\n"
        + "http: {host: 127.0.0.1, port: " + httpPort + "}\n"
        + "rtp: {host: 127.0.0.1, port_min: 9700, port_max: 9799}\n"
        // A fresh JVM's JIT does not catch up in 15 s, so the deadline ends it, after at least the 100 calls.
        + "startup: {warmup: 15s, warmup_calls: 100}\n");
    JarRun.Exit exit = JarRun.run(dir, java, List.of(jvmOptions), List.of("warm-up", "--config", config.toString()),
        Duration.ofSeconds(60));
    assertEquals(0, exit.status(), exit.log());
    List<String> lines = exit.lines();
    assertTrue(lines.stream().noneMatch(l -> l.contains("ERROR") || l.startsWith("\tat ")), exit.log());
    return lines;
  }

  private static Matcher warmUpLine(List<String> lines) {
    List<Matcher> found = lines.stream().map(LINE::matcher).filter(Matcher::find).toList();
    assertEquals(1, found.size(), "one warm-up line:\n" + String.join("\n", lines));
    return found.get(0);
  }

  /** The java of a JDK 25 or later under /usr/lib/jvm (this machine kind ships Temurin 25), if there is one. */
  private static Optional<Path> java25() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    Pattern version = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && Files.isRegularFile(h.resolve("release")))
          .filter(h -> {
            try {
              Matcher v = version.matcher(Files.readString(h.resolve("release")));
              return v.find() && Integer.parseInt(v.group(1)) >= 25;
            } catch (IOException e) {
              return false;
            }
          })
          .max((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .map(h -> h.resolve("bin/java"));
    }
  }
}
