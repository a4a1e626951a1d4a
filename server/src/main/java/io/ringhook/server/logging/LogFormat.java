package io.ringhook.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The format of the server's log lines: human-readable {@link #TEXT} (logback.xml's pattern, with
 * the call id in brackets when the MDC has one), or {@link #JSON}, one object a line.
 *
 * <p>{@link #apply()} switches the running logback configuration at start-up; levels and
 * appenders stay as logback.xml (or {@code -Dlogback.configurationFile}) set them.
 */
public enum LogFormat {
  /** logback.xml's own pattern: left as configured. */
  TEXT,
  /** Every appender of the root logger that writes a stream gets a {@link JsonLineEncoder}. */
  JSON;

  /**
   * The format named by the config's {@code logging.format}.
   *
   * @throws IllegalArgumentException when it is neither {@code text} nor {@code json}
   */
  public static LogFormat of(String name) {
    Objects.requireNonNull(name, "name");
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException(
          "logging.format must be text or json, got \"" + name + "\"");
    };
  }

  /** {@link #JSON} when {@code json}, else {@link #TEXT}, applied at once. */
  public static LogFormat apply(boolean json) {
    LogFormat f = json ? JSON : TEXT;
    f.apply();
    return f;
  }

  /**
   * Reconfigures logging in this format; call once at start-up, before the servers start. Does
   * nothing for {@link #TEXT}, or when SLF4J is not bound to logback.
   */
  public void apply() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      apply(context);
    } else if (this == JSON) {
      LoggerFactory.getLogger(LogFormat.class).warn(
          "logging.format json needs logback, but SLF4J is bound to {}: format unchanged",
          factory.getClass().getName());
    }
  }

  /** Applies this format to {@code context}'s root appenders; returns how many were changed. */
  int apply(LoggerContext context) {
    if (this == TEXT) {
      return 0;
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    List<OutputStreamAppender<ILoggingEvent>> streams = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
        streams.add(out);
      }
    }
    for (OutputStreamAppender<ILoggingEvent> out : streams) {
      JsonLineEncoder encoder = new JsonLineEncoder();
      encoder.setContext(context);
      encoder.start();
      // Stopped while the encoder changes so no event is half in one format, half in the other.
      out.stop();
      out.setEncoder(encoder);
      out.start();
    }
    return streams.size();
  }
}
