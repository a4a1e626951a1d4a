package io.ringhook.server;

import io.ringhook.server.config.CommandLine;
import io.ringhook.server.config.ConfigException;
import io.ringhook.server.config.ConfigLoader;
import io.ringhook.server.config.RingConfig;
import io.ringhook.sip.SipServer;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar ringhook.jar [--config FILE]}: loads the configuration (a bad file stops
 * start-up with every problem listed, exit status 2), runs the server, and stops it cleanly on
 * SIGTERM or Ctrl-C.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    CommandLine.Command command;
    try {
      command = CommandLine.parse(args);
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
    Logger log = LoggerFactory.getLogger(Main.class);
    RingServer server;
    try {
      server = RingServer.start(config);
    } catch (SipServer.SipStartException | IllegalArgumentException | IllegalStateException e) {
      log.error("ringhook cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping (signal received)");
      server.close();
      stopped.countDown();
    }, "ringhook-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
