package io.ringhook.server.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The runnable {@code ringhook.jar} in a process of its own, as an operator runs it: a YAML file,
 * its output in a log file, stopped by signals. {@link #restart()} starts it again on the same file
 * (same ports), appending to the same log.
 */
final class RingJar implements AutoCloseable {
  private static final Duration START_WAIT = Duration.ofSeconds(30);

  private final String name;
  private final Path config;
  private final Path log;
  private final Map<String, String> env;
  private Process process;

  private RingJar(String name, Path config, Path log, Map<String, String> env) {
    this.name = name;
    this.config = config;
    this.log = log;
    this.env = env;
  }

  /**
   * Writes {@code yaml} to {@code dir/NAME.yaml} and starts the jar on it, waiting until it is ready. Without a
   * {@code startup} section the warm-up is off ({@code warmup: 0s}), as in {@link RingFixture}: a test's few calls
   * do not need it, and every start would wait for it.
   */
  static RingJar start(Path dir, String name, String yaml, Map<String, String> env)
      throws IOException, InterruptedException {
    if (!yaml.startsWith("startup:") && !yaml.contains("\nstartup:")) {
      yaml = yaml + "startup:\n  warmup: 0s\n";
    }
    RingJar jar = new RingJar(name, Files.writeString(dir.resolve(name + ".yaml"), yaml), dir.resolve(name + ".log"), env);
    jar.launch();
    return jar;
  }

  /** Starts the process again after it has exited, on the same configuration, and waits until it is ready. */
  void restart() throws IOException, InterruptedException {
    if (process.isAlive()) {
      throw new IllegalStateException(name + " is still running");
    }
    launch();
  }

  private void launch() throws IOException, InterruptedException {
    long linesBefore = Files.exists(log) ? Files.readAllLines(log).size() : 0;
    ProcessBuilder pb = new ProcessBuilder("java", "-jar", JarRun.jar(),
        "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    process = pb.start();
    awaitLog(l -> l.contains("ready: SIP"), linesBefore, START_WAIT);
  }

  /** The process as it runs now (a new one after {@link #restart()}). */
  Process process() {
    return process;
  }

  Path log() {
    return log;
  }

  /** SIGTERM: the graceful drain. */
  void sigterm() {
    process.destroy();
  }

  /** SIGKILL: the instance vanishes mid-call. */
  void sigkill() {
    process.destroyForcibly();
  }

  /** Waits for the process to exit; false when it is still running after {@code timeout}. */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits for a line of the log (from the start of the file) that {@code match} accepts. */
  void awaitLog(Predicate<String> match, Duration timeout) throws IOException, InterruptedException {
    awaitLog(match, 0, timeout);
  }

  private void awaitLog(Predicate<String> match, long skipLines, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readAllLines(log).stream().skip(skipLines).anyMatch(match)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited " + process.exitValue() + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + ": log line not seen in " + timeout + "; log:\n"
        + (Files.exists(log) ? Files.readString(log) : ""));
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "RingJar[" + name + "]";
  }
}
