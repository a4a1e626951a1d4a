package io.ringhook.server;

import io.ringhook.server.config.CommandLine;
import io.ringhook.server.config.ConfigException;
import io.ringhook.server.config.ConfigLoader;
import io.ringhook.server.config.LoggingSettings;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.logging.LogFormat;
import io.ringhook.sip.SipServer;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar ringhook.jar [--config FILE]} (or {@code call ...}, see {@link CallCommand}, or {@code warm-up
 * [--config FILE]}, see {@link Warmup#standalone}): loads the configuration (a bad file stops
 * start-up with every problem listed, exit status 2), runs the server, and drains it on SIGTERM or
 * Ctrl-C: new calls are refused with 503 while calls in progress finish (up to {@code shutdown.grace}),
 * records are flushed, then the process exits.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("call")) {
      // Only the call's own lines: the SIP stack's and the JVM's chatter stays out of them.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.WARN);
      System.exit(CallCommand.main(java.util.List.of(args).subList(1, args.length), System.out, System.err));
      return;
    }
    boolean warmUpOnly = args.length > 0 && args[0].equals("warm-up");
    CommandLine.Command command;
    try {
      command = CommandLine.parse(warmUpOnly ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
    } catch (CommandLine.UsageException e) {
      System.err.println("ringhook: " + e.getMessage());
      System.err.println(CommandLine.usage());
      System.exit(2);
      return;
    }
    if (command instanceof CommandLine.Help) {
      System.out.println(CommandLine.usage());
      return;
    }
    if (command instanceof CommandLine.Version) {
      System.out.println("ringhook " + Version.get());
      return;
    }
    RingConfig config;
    try {
      config = ConfigLoader.load(((CommandLine.Run) command).config());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    // Lines logged before this (none but configuration errors, on stderr) are plain text.
    LogFormat.apply(config.logging().format() == LoggingSettings.Format.JSON);
    Logger log = LoggerFactory.getLogger(Main.class);
    if (warmUpOnly) {
      int status;
      try {
        status = Warmup.standalone(config).ended() > 0 ? 0 : 1; // the warm-up logged what it did
      } catch (RuntimeException e) {
        log.error("warm-up failed: {}", e.toString());
        status = 1;
      }
      System.exit(status);
      return;
    }
    RingServer server;
    try {
      server = RingServer.start(config);
    } catch (SipServer.SipStartException | IllegalArgumentException | IllegalStateException e) {
      // e.g. the SIP port is taken, or the records database cannot be opened
      log.error("ringhook cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("draining (signal received): new calls get 503, calls in progress have up to {}",
          config.shutdown().grace());
      server.shutdown();
      stopped.countDown();
    }, "ringhook-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
