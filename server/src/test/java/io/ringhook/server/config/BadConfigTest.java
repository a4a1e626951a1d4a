package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A file with many problems reports every one of them at once, one line each, in file order. */
class BadConfigTest {
  static final String BAD = """
      sip:
        host: localhost
        port: 70000
        advertise: 0.0.0.0
      rtp:
        port_min: 30000
        port_max: 20000
        timeout: 30
        timout: 5s
      trunks:
        - name: carrier-a
          allow: [198.51.100.0/24, 10.0.0.300]
          default_country_code: "+1"
        - name: carrier-a
          allow:
            - 2001:db8::/129
            - 198.51.100.7/24
        - allow: []
      http:
        port: 0
      numbers:
        "+1234":
          inbound_webhook_url: ftp://crm.example.com/in
        "+12345678913":
          inbound_webhook_url: https://crm.example.com/inbound
          webhook_secret: ${INBOUND_SECRET}
          agent: salse
          webhook_retries: 11
        "+12345678914":
          webhook_secret: ""
          webhook_timeout: 5s
      webhook:
        timeout: 10 s
        retries: -1
        backoff: [250ms, 1.5s]
        max_response_bytes: 0
        failure_response: 200
        ca_file: /nonexistent/ca.pem
      agents:
        sales:
          url: https://agents.example.com/stream
        demo:
          url: ws://127.0.0.1:9000/
        support:
          connect_timeout: 3s
      default_agent: dmeo
      """;

  static final List<String> EXPECTED = List.of(
      "ringhook.yaml:2: sip.host = \"localhost\": not an IP address (IPv4 like 192.0.2.1 or IPv6 like 2001:db8::1; host names are not resolved)",
      "ringhook.yaml:3: sip.port = 70000: must be a port number 1..65535",
      "ringhook.yaml:4: sip.advertise = \"0.0.0.0\": must be the address callers reach, not a wildcard",
      "ringhook.yaml:7: rtp.port_max = 20000: must not be below port_min (30000)",
      "ringhook.yaml:8: rtp.timeout = 30: a duration needs a unit: write 30s or 30ms (units: ms, s, m, h)",
      "ringhook.yaml:9: rtp.timout: unknown key (did you mean \"timeout\"?)",
      "ringhook.yaml:12: trunks[0].allow[1] = \"10.0.0.300\": not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)",
      "ringhook.yaml:13: trunks[0].default_country_code = \"+1\": must be a country calling code of 1 to 3 digits without \"+\", e.g. \"1\" or \"44\"",
      "ringhook.yaml:14: trunks[1].name = \"carrier-a\": duplicate trunk name (also trunks[0])",
      "ringhook.yaml:16: trunks[1].allow[0] = \"2001:db8::/129\": prefix length must be 0..128",
      "ringhook.yaml:17: trunks[1].allow[1] = \"198.51.100.7/24\": has host bits set: did you mean 198.51.100.0/24?",
      "ringhook.yaml:18: trunks[2].name: is missing (every trunk needs a name, for logs and call records)",
      "ringhook.yaml:18: trunks[2].allow: must list at least one address or CIDR block",
      "ringhook.yaml:20: http.port = 0: must be a port number 1..65535",
      "ringhook.yaml:22: numbers.\"+1234\": key must be an E.164 number: \"+\" and 7 to 15 digits, e.g. \"+12345678913\"",
      "ringhook.yaml:23: numbers.\"+1234\".inbound_webhook_url = \"ftp://crm.example.com/in\": must be an http:// or https:// URL",
      "ringhook.yaml:26: numbers.\"+12345678913\".webhook_secret = \"${INBOUND_SECRET}\": environment variable INBOUND_SECRET is not set (set it, or give a default: ${INBOUND_SECRET:-default})",
      "ringhook.yaml:27: numbers.\"+12345678913\".agent = \"salse\": no such agent (did you mean \"sales\"? known: demo, echo, sales, support)",
      "ringhook.yaml:28: numbers.\"+12345678913\".webhook_retries = 11: must be a count 0..10",
      "ringhook.yaml:30: numbers.\"+12345678914\".webhook_secret = \"\": must not be empty (leave the key out to send unsigned requests)",
      "ringhook.yaml:31: numbers.\"+12345678914\".webhook_timeout = \"5s\": has no effect without inbound_webhook_url (calls to this number make no webhook request)",
      "ringhook.yaml:33: webhook.timeout = \"10 s\": not a duration: write 10s without spaces",
      "ringhook.yaml:34: webhook.retries = -1: must be a count 0..10",
      "ringhook.yaml:35: webhook.backoff[1] = \"1.5s\": not a duration: whole numbers only, write 1500ms",
      "ringhook.yaml:36: webhook.max_response_bytes = 0: must be a size in bytes 1..16777216",
      "ringhook.yaml:37: webhook.failure_response = 200: must be a SIP final response code 400..699",
      "ringhook.yaml:38: webhook.ca_file = \"/nonexistent/ca.pem\": no such file: /nonexistent/ca.pem",
      "ringhook.yaml:41: agents.sales.url = \"https://agents.example.com/stream\": must be a ws:// or wss:// URL",
      "ringhook.yaml:42: agents.demo: \"demo\" is the built-in agent; give yours another name",
      "ringhook.yaml:45: agents.support.url: is missing (every agent needs its ws:// or wss:// URL)",
      "ringhook.yaml:46: default_agent = \"dmeo\": no such agent (did you mean \"demo\"? known: demo, echo, sales, support)");

  @Test
  void everyProblemIsListedOnItsOwnLine() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(BAD, "ringhook.yaml", Path.of("/"), Map.of()));
    List<String> lines = e.getMessage().lines().toList();
    assertEquals("Invalid configuration (" + EXPECTED.size() + " problems):", lines.get(0));
    assertEquals(EXPECTED, lines.subList(1, lines.size()));
    assertEquals(EXPECTED, e.problems().stream().map(ConfigProblem::toString).toList());
  }

  @Test
  void problemsCarryTheirParts() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(BAD, "ringhook.yaml", Path.of("/"), Map.of()));
    ConfigProblem p = e.problems().stream().filter(x -> x.path().equals("trunks[0].allow[1]")).findFirst().orElseThrow();
    assertEquals(new ConfigProblem("ringhook.yaml", 12, "trunks[0].allow[1]", java.util.Optional.of("\"10.0.0.300\""),
        "not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)"), p);
  }

  @Test
  void theDocumentationShowsThisVeryOutput() {
    String doc = DocsExample.read();
    assertTrue(doc.contains(BAD), "docs/configuration.md must show the bad file of BadConfigTest");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(BAD, "ringhook.yaml", Path.of("/"), Map.of()));
    assertTrue(doc.contains(e.getMessage()), "docs/configuration.md must show the output of BadConfigTest");
  }
}
