package io.ringhook.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The server's logback.xml, as text and switched to JSON, on a context of the test's own. */
class LogFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @BeforeEach
  void configure() throws Exception {
    context.setMDCAdapter(MDC.getMDCAdapter());
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(context);
    URL config = LogFormat.class.getResource("/logback.xml");
    assertTrue(config.getPath().contains("classes/logback.xml"), "the server's own file: " + config);
    joran.doConfigure(config);
  }

  @AfterEach
  void tearDown() {
    MDC.clear();
    context.stop();
  }

  /** Sends the root's console appender into {@link #out} (after any format change). */
  private void capture() {
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> console =
        (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT");
    console.setOutputStream(out);
  }

  private List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void textShowsTheCallIdInBracketsOnlyWhenTheMdcHasOne() {
    assertEquals(0, LogFormat.TEXT.apply(context));
    capture();
    Logger log = context.getLogger("io.ringhook.sip.SipDispatcher");

    MDC.put("call_id", "5f3a9c2e7d41b08a");
    log.info("INVITE from {}", "+12345678912");
    MDC.remove("call_id");
    log.info("listening");

    List<String> lines = lines();
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(lines.get(0).matches(
        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  i\\.r\\.sip\\.SipDispatcher "
            + "\\[5f3a9c2e7d41b08a\\] - INVITE from \\+12345678912"), lines.get(0));
    assertTrue(lines.get(1).endsWith(" INFO  i.r.sip.SipDispatcher - listening"), lines.get(1));
  }

  @Test
  void jsonIsOneObjectPerLineWithEveryField() throws Exception {
    assertEquals(1, LogFormat.JSON.apply(context));
    capture();
    Logger log = context.getLogger("io.ringhook.webhook.attempts");
    Instant before = Instant.now().minusMillis(1);

    MDC.put("call_id", "5f3a9c2e7d41b08a");
    String tricky = "said \"hi\"\nthen \\left\ttab, caf\u00e9 \u2713 \ud83d\udcde \u0001 </script>";
    log.info(tricky);
    log.atWarn().addKeyValue("attempt", 2).addKeyValue("outcome", "status").addKeyValue("msg", "no")
        .addKeyValue("ok", false).log("webhook attempt {}", 2);
    MDC.clear();
    IllegalStateException boom = new IllegalStateException("bad \"state\"\nsecond line",
        new java.io.IOException("cause here"));
    log.error("it failed", boom);

    List<String> lines = lines();
    assertEquals(3, lines.size(), "one line per event, newlines escaped: " + lines);
    JsonNode first = parse(lines.get(0));
    assertEquals(tricky, first.get("msg").textValue(), "round trip");
    assertEquals("INFO", first.get("level").textValue());
    assertEquals("io.ringhook.webhook.attempts", first.get("logger").textValue());
    assertEquals(Thread.currentThread().getName(), first.get("thread").textValue());
    assertEquals("5f3a9c2e7d41b08a", first.get("call_id").textValue());
    Instant ts = Instant.parse(first.get("ts").textValue());
    assertTrue(first.get("ts").textValue().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
        first.get("ts").textValue());
    assertFalse(ts.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), ts + " vs " + before);
    assertEquals(List.of("ts", "level", "logger", "thread", "msg", "call_id"), names(first));

    JsonNode second = parse(lines.get(1));
    assertEquals("webhook attempt 2", second.get("msg").textValue(), "fixed fields win over key-values");
    assertEquals(2, second.get("attempt").intValue());
    assertTrue(second.get("attempt").isNumber());
    assertEquals("status", second.get("outcome").textValue());
    assertFalse(second.get("ok").booleanValue());
    assertEquals("WARN", second.get("level").textValue());

    JsonNode third = parse(lines.get(2));
    assertFalse(third.has("call_id"), "no call id once the MDC is cleared");
    String stack = third.get("exception").textValue();
    assertTrue(stack.startsWith("java.lang.IllegalStateException: bad \"state\"\nsecond line"), stack);
    assertTrue(stack.contains("at io.ringhook.server.logging.LogFormatTest."), stack);
    assertTrue(stack.contains("Caused by: java.io.IOException: cause here"), stack);
  }

  @Test
  void jsonKeepsTheConfiguredLevels() {
    LogFormat.JSON.apply(context);
    capture();
    assertEquals(Level.ERROR, context.getLogger("gov.nist").getLevel());
    assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());

    context.getLogger("gov.nist.javax.sip.stack").warn("TLS defaults");
    context.getLogger("io.netty.channel").info("chatter");
    context.getLogger("io.ringhook").debug("too fine");
    context.getLogger("io.ringhook").info("kept");

    List<String> lines = lines();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("\"msg\":\"kept\""), lines.get(0));
  }

  @Test
  void formatNamesAreCheckedWithAClearMessage() {
    assertEquals(LogFormat.JSON, LogFormat.of("json"));
    assertEquals(LogFormat.TEXT, LogFormat.of(" Text "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFormat.of("xml"));
    assertEquals("logging.format must be text or json, got \"xml\"", e.getMessage());
  }

  private static JsonNode parse(String line) throws IOException {
    JsonNode node = JSON.readTree(line);
    assertTrue(node.isObject(), line);
    return node;
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
