package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.WebhookClientTest.CLOCK;
import static io.ringhook.webhook.WebhookClientTest.FAST;
import static io.ringhook.webhook.WebhookClientTest.await;
import static io.ringhook.webhook.WebhookClientTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The attempt log line is logfmt a parser can read (issue 13, item 7): a CRM's JSON body in the
 * detail is escaped inside one quoted value. The lines are captured, not printed.
 */
class AttemptLogTest {
  /** One logfmt pair: key=bare or key="quoted with \" escapes". */
  private static final Pattern PAIR = Pattern.compile("(\\w+)=(\"((?:[^\"\\\\]|\\\\.)*)\"|[^\\s\"]*)");

  private final WebhookClient client = WebhookClient.builder().clock(CLOCK).build();
  private final Logger attempts = (Logger) LoggerFactory.getLogger("io.ringhook.webhook.attempts");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final ch.qos.logback.classic.Level level = attempts.getLevel();
  private ScriptedServer server;

  @AfterEach
  void tearDown() {
    client.close();
    if (server != null) {
      server.close();
    }
    attempts.detachAppender(lines);
    attempts.setAdditive(true);
    attempts.setLevel(level);
  }

  @Test
  void aCrmsJsonBodyStaysInsideTheQuotedDetail() throws Exception {
    lines.start();
    attempts.addAppender(lines);
    attempts.setAdditive(false);
    attempts.setLevel(ch.qos.logback.classic.Level.INFO); // logback-test.xml mutes this logger
    server = ScriptedServer.start(sequence(json(500, "{\"error\":\"nope\"}")));

    await(client.call(request(server.url("/hook")), FAST, AttemptListener.NONE));

    String line = lines.list.get(0).getFormattedMessage();
    Map<String, String> pairs = parse(line);
    assertEquals("status", pairs.get("outcome"), line);
    assertEquals("500", pairs.get("status"), line);
    assertTrue(pairs.get("detail").contains("{\"error\":\"nope\"}"), "detail, unescaped: " + pairs.get("detail"));
    assertTrue(line.endsWith("\""), "the detail is the last value and ends the line: " + line);
  }

  /** Parses a logfmt line the way logfmt parsers do; the whole tail after the message must be pairs. */
  static Map<String, String> parse(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = PAIR.matcher(line);
    int end = -1;
    while (m.find()) {
      String v = m.group(3) != null ? m.group(3).replaceAll("\\\\(.)", "$1") : m.group(2);
      out.put(m.group(1), v);
      end = m.end();
    }
    assertEquals(line.length(), end, "nothing after the last pair: " + line);
    return out;
  }
}
