package io.ringhook.webhook;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Collects one logger's lines (INFO and up) instead of printing them, while open, so a test can
 * assert what it provoked and keep the output quiet.
 */
final class CapturedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  final BlockingQueue<ILoggingEvent> events = new LinkedBlockingQueue<>();
  private final Logger logger;
  private final Level before;

  CapturedLog(String name) {
    logger = (Logger) LoggerFactory.getLogger(name);
    before = logger.getLevel();
    start();
    logger.addAppender(this);
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
  }

  @Override
  protected void append(ILoggingEvent e) {
    events.add(e);
  }

  /** The next line logged, waiting up to 10 s for it. */
  ILoggingEvent next() throws InterruptedException {
    ILoggingEvent e = events.poll(10, TimeUnit.SECONDS);
    assertNotNull(e, "a line was logged on " + logger.getName());
    return e;
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    logger.setLevel(before);
    logger.setAdditive(true);
    stop();
  }
}
