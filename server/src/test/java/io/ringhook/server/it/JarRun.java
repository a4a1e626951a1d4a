package io.ringhook.server.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code ringhook.jar} to its exit, as a script runs it: in a directory of its own, its output
 * (stderr too) in {@code ringhook.log} there. A run still going at its deadline is killed and fails the test
 * with its log, so no test leaves a JVM behind. ({@link RingJar} is the long-running server.)
 */
final class JarRun {
  /** How a run ended: its exit status and its log lines. */
  record Exit(int status, List<String> lines) {
    String log() {
      return String.join("\n", lines);
    }
  }

  private JarRun() {}

  /** The jar the build made, as an absolute path. */
  static String jar() {
    return Path.of(System.getProperty("ringhook.jar", "target/ringhook.jar")).toAbsolutePath().toString();
  }

  /** Runs {@code java [jvmOptions] -jar ringhook.jar [args]} in {@code dir} and waits up to {@code timeout}. */
  static Exit run(Path dir, String java, List<String> jvmOptions, List<String> args, Duration timeout)
      throws IOException, InterruptedException {
    Path log = dir.resolve("ringhook.log");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar());
    command.addAll(args);
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(String.join(" ", args) + ": still running after " + timeout + ":\n"
            + Files.readString(log));
      }
      return new Exit(process.exitValue(), Files.readAllLines(log));
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
