package io.ringhook.server.peers;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The log lines of some loggers, held for a test to assert instead of printed: a test that
 * provokes an error on purpose checks the error's line and keeps the run's output quiet. Closing
 * it puts the loggers back as they were.
 */
public final class LogCapture implements AutoCloseable {
  private final List<Logger> loggers = new ArrayList<>();
  private final List<Boolean> additive = new ArrayList<>();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String... names) {
    appender.start();
    for (String name : names) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      loggers.add(logger);
      additive.add(logger.isAdditive());
      logger.addAppender(appender);
      logger.setAdditive(false);
    }
  }

  /** Captures the loggers named {@code names} (and their children), e.g. a class's or a package's name. */
  public static LogCapture of(String... names) {
    return new LogCapture(names);
  }

  /** Captures the loggers of {@code classes}. */
  public static LogCapture of(Class<?>... classes) {
    String[] names = new String[classes.length];
    for (int i = 0; i < classes.length; i++) {
      names[i] = classes[i].getName();
    }
    return new LogCapture(names);
  }

  /** Every line captured so far. */
  public List<ILoggingEvent> events() {
    synchronized (appender.list) {
      return List.copyOf(appender.list);
    }
  }

  /** The captured lines at {@code level} or above, as "LEVEL message" text (with the exception's class). */
  public List<String> atLeast(Level level) {
    return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
        .map(e -> e.getLevel() + " " + e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : " [" + e.getThrowableProxy().getClassName() + "]"))
        .toList();
  }

  /** The formatted messages of every captured line. */
  public List<String> messages() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      loggers.get(i).detachAppender(appender);
      loggers.get(i).setAdditive(additive.get(i));
    }
    appender.stop();
  }
}
