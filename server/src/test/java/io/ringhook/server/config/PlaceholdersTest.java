package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {
  private static final Map<String, String> ENV = Map.of("HOST", "crm.example.com", "EMPTY", "", "PORT", "5070");

  @Test
  void expandsFromTheGivenEnvironment() {
    assertEquals("https://crm.example.com/in", Placeholders.expand("https://${HOST}/in", ENV));
    assertEquals("crm.example.com:5070", Placeholders.expand("${HOST}:${PORT}", ENV));
    assertEquals("no placeholder $HOST $ {HOST}", Placeholders.expand("no placeholder $HOST $ {HOST}", ENV));
  }

  @Test
  void defaultsApplyWhenUnsetOrEmpty() {
    assertEquals("fallback", Placeholders.expand("${UNSET:-fallback}", ENV));
    assertEquals("fallback", Placeholders.expand("${EMPTY:-fallback}", ENV));
    assertEquals("crm.example.com", Placeholders.expand("${HOST:-fallback}", ENV));
    assertEquals("", Placeholders.expand("${UNSET:-}", ENV));
    assertEquals("", Placeholders.expand("${EMPTY}", ENV));
    assertEquals("a:-b", Placeholders.expand("${UNSET:-a:-b}", ENV));
  }

  @Test
  void doubleDollarIsALiteral() {
    assertEquals("${HOST} costs $5", Placeholders.expand("$${HOST} costs $5", ENV));
  }

  @Test
  void everyMissingVariableIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Placeholders.expand("${A}/${HOST}/${B}", ENV));
    assertEquals("environment variables A, B are not set (set them, or give a default: ${A:-default})",
        e.getMessage());
  }

  @Test
  void malformedPlaceholders() {
    assertEquals("unterminated placeholder: \"${\" without \"}\" (write $${ for a literal ${)",
        assertThrows(IllegalArgumentException.class, () -> Placeholders.expand("x${HOST", ENV)).getMessage());
    assertEquals("malformed placeholder ${1X}: use ${NAME} or ${NAME:-default}, NAME of letters, digits and _",
        assertThrows(IllegalArgumentException.class, () -> Placeholders.expand("${1X}", ENV)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Placeholders.expand("${}", ENV));
    assertThrows(IllegalArgumentException.class, () -> Placeholders.expand("${A B}", ENV));
  }

  @Test
  void theLoaderExpandsStringValuesOfAnyType() {
    RingConfig c = ConfigLoader.parse("""
        sip:
          port: ${PORT}
        http:
          port: ${HTTP_PORT:-8081}
        numbers:
          "+12345678913":
            inbound_webhook_url: https://${HOST}/inbound
            webhook_secret: ${SECRET}
        agents:
          sales: {url: "${AGENT_URL:-ws://127.0.0.1:9000/s}"}
        """, Map.of("PORT", "5070", "HOST", "crm.example.com", "SECRET", "top-secret"));
    assertEquals(5070, c.sip().port());
    assertEquals(8081, c.http().port());
    assertEquals("https://crm.example.com/inbound",
        c.numbers().get("+12345678913").inboundWebhookUrl().orElseThrow().toString());
    assertEquals("top-secret", c.numbers().get("+12345678913").webhookSecret().orElseThrow().value());
    assertEquals("ws://127.0.0.1:9000/s", c.agents().get("sales").url().toString());
  }

  @Test
  void keysAreNotExpanded() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse("numbers:\n  \"${NUMBER}\": {}\n", Map.of("NUMBER", "+12345678913")));
    assertEquals("numbers.\"${NUMBER}\"", e.problems().get(0).path());
  }

  @Test
  void problemsShowTheExpandedValueButNeverASecret() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
        sip: {port: "${PORT}"}
        numbers:
          "+12345678913":
            webhook_secret: ${SECRET}
        """, Map.of("PORT", "99999", "SECRET", "top-secret")));
    List<String> lines = e.problems().stream().map(ConfigProblem::toString).toList();
    assertEquals(List.of(
        "<string>:1: sip.port = \"99999\" (from \"${PORT}\"): must be a port number 1..65535",
        "<string>:4: numbers.\"+12345678913\".webhook_secret = \"${SECRET}\": has no effect without"
            + " inbound_webhook_url (calls to this number make no webhook request)"), lines);
    assertFalse(e.getMessage().contains("top-secret"));
  }

  @Test
  void aMissingVariableIsAListedProblem() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
        sip: {host: "${SIP_HOST}"}
        http: {host: "${HTTP_HOST}"}
        """, Map.of()));
    assertEquals(List.of(
        "<string>:1: sip.host = \"${SIP_HOST}\": environment variable SIP_HOST is not set (set it, or give a"
            + " default: ${SIP_HOST:-default})",
        "<string>:2: http.host = \"${HTTP_HOST}\": environment variable HTTP_HOST is not set (set it, or give a"
            + " default: ${HTTP_HOST:-default})"),
        e.problems().stream().map(ConfigProblem::toString).toList());
  }
}
