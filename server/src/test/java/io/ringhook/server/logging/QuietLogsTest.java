package io.ringhook.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class QuietLogsTest {
  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final List<String> encoded = new CopyOnWriteArrayList<>();

  QuietLogsTest() {
    context.setMDCAdapter(new LogbackMDCAdapter());
    context.start();
    EncoderBase<ILoggingEvent> encoder = new EncoderBase<>() {
      @Override
      public byte[] headerBytes() {
        return null;
      }

      @Override
      public byte[] encode(ILoggingEvent event) {
        String line = event.getLevel() + " " + event.getFormattedMessage() + "\n";
        encoded.add(line.strip());
        return line.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] footerBytes() {
        return null;
      }
    };
    encoder.setContext(context);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> out = new OutputStreamAppender<>();
    out.setContext(context);
    out.setEncoder(encoder);
    out.setOutputStream(written);
    out.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(out);
  }

  @Test
  void linesAreFormattedByTheConfiguredEncodersAndDroppedUntilClosedErrorsExcepted() {
    Logger parent = context.getLogger("quietlogs.test");
    Logger child = context.getLogger("quietlogs.test.Child");
    Logger own = context.getLogger("quietlogs.test.Own"); // e.g. RtpStream at DEBUG in a logback.xml
    Logger sibling = context.getLogger("quietlogs.testing.Other");
    own.setLevel(Level.DEBUG);
    try (QuietLogs quiet = QuietLogs.of(context, List.of("quietlogs.test"))) {
      assertTrue(child.isInfoEnabled() && own.isDebugEnabled(), "the levels stay as configured");
      child.info("call {} from {}", "c1", "+15550000001");
      own.debug("RTP port {} closed", 20000);
      child.error("the store is failing");
      sibling.info("a name that merely starts alike");
      assertEquals(List.of("INFO call c1 from +15550000001", "DEBUG RTP port 20000 closed",
          "ERROR the store is failing", "ERROR the store is failing", "INFO a name that merely starts alike"), encoded,
          "formatted as a written line is (the ERROR line twice: dropped, then written)");
      assertEquals("ERROR the store is failing\nINFO a name that merely starts alike\n", written());
    }
    child.info("after");
    assertEquals("ERROR the store is failing\nINFO a name that merely starts alike\nINFO after\n", written());
    assertTrue(parent.isAdditive(), "additive again");
    assertFalse(parent.iteratorForAppenders().hasNext(), "its appender detached");
    assertNull(parent.getLevel(), "no level of its own, before or after");
  }

  private String written() {
    return written.toString(StandardCharsets.UTF_8);
  }
}
