package io.ringhook.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Keeps the lines of some loggers (and of their descendants) out of the log until closed, while each still takes
 * the way a logged line takes up to its write: the levels stay as configured, and every line is formatted by the
 * encoders of the root logger's appenders (the configured pattern, or JSON) and dropped. ERROR lines still reach
 * the root's appenders. The start-up warm-up runs tens of thousands of synthetic calls whose per-call lines would
 * bury the real ones; held back by raising those loggers to ERROR (as before), the first real calls' lines were a
 * way through the code the JIT had not compiled, and the methods that log a line per call were compiled again in
 * the first busy seconds (BENCHMARKS.md, issue 14, session 13). Nothing else logs through those loggers before SIP
 * listens. A descendant with appenders of its own (configured in a logback.xml) still writes to them. Does nothing
 * when SLF4J is not bound to logback.
 *
 * <pre>{@code
 * try (QuietLogs quiet = QuietLogs.of(List.of("io.ringhook.sip"))) {
 *   ... // synthetic calls
 * }
 * }</pre>
 */
public final class QuietLogs implements AutoCloseable {
  private final Map<Logger, Boolean> additive;
  private final Appender<ILoggingEvent> discard;

  private QuietLogs(Map<Logger, Boolean> additive, Appender<ILoggingEvent> discard) {
    this.additive = additive;
    this.discard = discard;
  }

  /** Holds back the lines of each of {@code names} (logger names or prefixes of the hierarchy). */
  public static QuietLogs of(List<String> names) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    return factory instanceof LoggerContext context ? of(context, names) : new QuietLogs(Map.of(), null);
  }

  /** {@link #of(List)} in {@code context}. */
  static QuietLogs of(LoggerContext context, List<String> names) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Discard discard = new Discard(root);
    discard.setContext(context);
    discard.setName("ringhook-quiet-logs");
    discard.start();
    Map<Logger, Boolean> additive = new LinkedHashMap<>();
    for (String name : names) {
      Logger logger = context.getLogger(name);
      additive.put(logger, logger.isAdditive());
      logger.setAdditive(false); // the line goes no further up than this logger, to our appender
      logger.addAppender(discard);
    }
    return new QuietLogs(additive, discard);
  }

  @Override
  public void close() {
    additive.forEach((logger, was) -> {
      logger.detachAppender(discard);
      logger.setAdditive(was);
    });
    if (discard != null) {
      discard.stop();
    }
  }

  /** Formats each line with the root's encoders and drops it; passes ERROR lines on to the root's appenders. */
  private static final class Discard extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private final Logger root;
    private final List<Encoder<ILoggingEvent>> encoders = new ArrayList<>();

    Discard(Logger root) {
      this.root = root;
      for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out && out.getEncoder() != null) {
          encoders.add(out.getEncoder());
        }
      }
    }

    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing(); // as an OutputStreamAppender does: the message, thread name and MDC
      for (Encoder<ILoggingEvent> encoder : encoders) {
        encoder.encode(event);
      }
      if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
        root.callAppenders(event);
      }
    }
  }
}
