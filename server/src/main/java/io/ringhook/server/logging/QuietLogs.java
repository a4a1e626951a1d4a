package io.ringhook.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Raises some loggers, and their descendants that have a level of their own, to ERROR until closed,
 * then puts back the levels they had (a level of their own or none, inherited). The start-up warm-up runs hundreds of synthetic calls whose per-call INFO
 * lines would bury the real ones; nothing else logs through those loggers before SIP listens.
 * Does nothing when SLF4J is not bound to logback.
 *
 * <pre>{@code
 * try (QuietLogs quiet = QuietLogs.of(List.of("io.ringhook.sip"))) {
 *   ... // synthetic calls
 * }
 * }</pre>
 */
public final class QuietLogs implements AutoCloseable {
  private final Map<Logger, Level> previous;

  private QuietLogs(Map<Logger, Level> previous) {
    this.previous = previous;
  }

  /** Sets each of {@code names} (logger names or prefixes of the hierarchy) to ERROR. */
  public static QuietLogs of(List<String> names) {
    Map<Logger, Level> previous = new LinkedHashMap<>();
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      for (String name : names) {
        Logger logger = context.getLogger(name);
        previous.put(logger, logger.getLevel());
        // A descendant with a level of its own (e.g. RtpStream at INFO in a logback.xml) would not inherit ours.
        for (Logger child : context.getLoggerList()) {
          if (child.getLevel() != null && child.getName().startsWith(name + ".")) {
            previous.putIfAbsent(child, child.getLevel());
          }
        }
      }
      // Never louder: a logger an operator turned OFF stays off.
      previous.keySet().removeIf(logger -> logger.getEffectiveLevel().isGreaterOrEqual(Level.ERROR));
      previous.keySet().forEach(logger -> logger.setLevel(Level.ERROR));
    }
    return new QuietLogs(previous);
  }

  @Override
  public void close() {
    previous.forEach(Logger::setLevel);
  }
}
