package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidationTest {
  private static List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  private static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, env));
    return e.problems().stream().map(p -> p.line() + ": " + p.path() + p.value().map(v -> " = " + v).orElse("")
        + ": " + p.message()).toList();
  }

  @Test
  void theDecisionKeysAreCheckedWithSuggestions() {
    assertEquals(List.of(
        "4: trunks[0].sip_headers[0] = \"*\": \"*\" alone would pass every header (Authorization, Via...): name them",
        "4: trunks[0].sip_headers[1] = \"X Bad\": must be a SIP header name, or a name prefix ending in * (e.g. X-*)",
        "6: webhook.on_failure = \"retry\": must be reject or connect",
        "7: webhook.include[0] = \"callid\": is not a field ringhook can add (did you mean \"call_id\"? known: "
            + "sip_headers, call_id, trunk)",
        "11: numbers.\"+12345678913\".fallback_agent = \"sales\": has no effect unless on_webhook_failure is connect"
            + " (a failed call is rejected)",
        "12: numbers.\"+12345678913\".call_ended_webhook_url = \"ftp://crm.example/x\": must be an http:// or https:// URL",
        "14: numbers.\"+12345678914\".on_webhook_failure = \"connect\": has no effect without inbound_webhook_url"
            + " (calls to this number make no webhook request)"),
        problems(""
            + "trunks:\n"
            + "  - name: c\n    allow: [127.0.0.1]\n"
            + "    sip_headers: [\"*\", \"X Bad\"]\n"
            + "webhook:\n"
            + "  on_failure: retry\n"
            + "  include: [callid]\n"
            + "numbers:\n"
            + "  \"+12345678913\":\n"
            + "    inbound_webhook_url: https://crm.example/in\n"
            + "    fallback_agent: sales\n"
            + "    call_ended_webhook_url: ftp://crm.example/x\n"
            + "  \"+12345678914\":\n"
            + "    on_webhook_failure: connect\n"
            + "agents:\n  sales:\n    url: ws://127.0.0.1:9000/s\n"));
  }

  @Test
  void theCircuitBreakerIsOffUnlessItsSectionIsPresent() throws ConfigException {
    assertEquals(java.util.Optional.empty(), ConfigLoader.parse("webhook:\n  retries: 1\n", Map.of())
        .webhook().circuitBreaker());
    assertEquals(java.util.Optional.of(CircuitBreakerSettings.DEFAULTS),
        ConfigLoader.parse("webhook:\n  circuit_breaker: {}\n", Map.of()).webhook().circuitBreaker());
    assertEquals(java.util.Optional.of(new CircuitBreakerSettings(3, Duration.ofSeconds(20), Duration.ofMinutes(1))),
        ConfigLoader.parse("webhook:\n  circuit_breaker: {failures: 3, window: 20s, cool_down: 1m}\n", Map.of())
            .webhook().circuitBreaker());
    assertEquals(List.of(
        "2: webhook.circuit_breaker.cooldown: unknown key (did you mean \"cool_down\"?)",
        "2: webhook.circuit_breaker.failures = 1: must be a count 2..1000"),
        problems("webhook:\n  circuit_breaker: {failures: 1, cooldown: 5s}\n"));
  }

  @Test
  void unknownKeysAreErrorsWithASuggestionWhenClose() {
    assertEquals(List.of(
        "1: number: unknown key (did you mean \"numbers\"?)",
        "3: sip.Port: unknown key (did you mean \"port\"?)",
        "5: rtp.port-min: unknown key (did you mean \"port_min\"?)",
        "7: webhook.colour: unknown key (known keys: timeout, retries, backoff, max_response_bytes,"
            + " failure_response, ca_file, max_connections_per_origin, allow_private, on_failure, fallback_agent,"
            + " include, call_ended_url, circuit_breaker)",
        "10: numbers.\"+12345678913\".timeout: unknown key (did you mean \"webhook_timeout\"?)",
        "11: defaultagent: unknown key (did you mean \"default_agent\"?)"),
        problems("""
            number: {}
            sip:
              Port: 5060
            rtp:
              port-min: 20000
            webhook:
              colour: blue
            numbers:
              "+12345678913":
                timeout: 5s
            defaultagent: demo
            """));
  }

  @Test
  void connectionLimitAndH2cAreChecked() {
    assertEquals(List.of(
        "3: numbers.\"+12345678913\".webhook_h2c = true: only applies to an http:// inbound_webhook_url"
            + " (https:// negotiates HTTP/2 by ALPN)",
        "6: numbers.\"+12345678914\".webhook_h2c = \"yes\": must be true or false",
        "8: numbers.\"+12345678915\".webhook_h2c = true: has no effect without inbound_webhook_url"
            + " (calls to this number make no webhook request)",
        "10: webhook.max_connections_per_origin = 0: must be a count 1..1000000"),
        problems("""
            numbers:
              "+12345678913":
                webhook_h2c: true
                inbound_webhook_url: https://crm.example.com/in
              "+12345678914":
                webhook_h2c: "yes"
                inbound_webhook_url: http://10.0.0.8/in
              "+12345678915": {webhook_h2c: true}
            webhook:
              max_connections_per_origin: 0
            """));
  }

  @Test
  void wrongShapesAreNamed() {
    assertEquals(List.of(
        "1: sip: must be a mapping of host, port, advertise, tcp_max_connections, tcp_max_connections_per_source, "
        + "tcp_first_message_timeout, tcp_idle_timeout, not a list",
        "2: trunks: must be a list, not a mapping",
        "3: http.port: must be a single value, not a list",
        "4: rtp.timeout: has no value (remove the key to get the default)",
        "5: numbers: must be a mapping keyed by E.164 number, not a list",
        "6: agents.sales: must be a mapping of url, connect_timeout, not a single value"),
        problems("""
            sip: [0.0.0.0]
            trunks: {name: a}
            http: {port: [1, 2]}
            rtp: {timeout: }
            numbers: ["+12345678913"]
            agents: {sales: "wss://a.example.com"}
            """));
    assertEquals(List.of("1: : the file must be a mapping of sections sip, rtp, trunks, http, numbers, webhook,"
        + " agents, default_agent, records, shutdown, admission, startup, logging, not a list"), problems("- sip\n"));
  }

  @Test
  void yamlLevelMistakes() {
    assertEquals(List.of("2: sip: duplicate key (first given at line 1)"), problems("sip: {port: 5070}\nsip: {}\n"));
    assertEquals(List.of("3: : only one YAML document is allowed (found a second one after ---)"),
        problems("sip: {}\n---\nrtp: {}\n"));
    assertEquals(List.of("2: http.port = *p: YAML aliases are not supported; write the value out",
        "2: http.port = \"p\": must be a whole number"),
        problems("sip: {port: &p 5070}\nhttp: {port: *p}\n"));
  }

  @Test
  void portsThatClash() {
    assertEquals(List.of("2: http.port = 5060: clashes with sip.port 5060 (both listen on TCP)"),
        problems("sip: {port: 5060}\nhttp: {port: 5060}\n"));
    assertEquals(List.of("1: sip.port = 8080: clashes with http.port 8080 (both listen on TCP)"),
        problems("sip: {port: 8080}\n"));
    assertEquals(List.of("1: rtp.port_min = 5000: the RTP ports 5000..6000 include sip.port 5060 (both listen on UDP)"),
        problems("rtp: {port_min: 5000, port_max: 6000}\n"));
    // Different addresses do not clash.
    ConfigLoader.parse("sip: {host: 127.0.0.1, port: 8080}\nhttp: {host: 127.0.0.2, port: 8080}\n", Map.of());
  }

  @Test
  void ipv6ListenAddresses() {
    RingConfig c = ConfigLoader.parse("sip: {host: '::', advertise: '2001:db8::7'}\nhttp: {host: '::1'}\n", Map.of());
    assertEquals("::", c.sip().host());
    assertEquals("::", c.rtp().bindHost());
    assertEquals("2001:db8::7", c.sip().advertise().orElseThrow());
    assertEquals("::1", c.http().host());
    assertEquals(List.of("1: sip.host = \"[::1]\": write the IPv6 address without brackets",
            "2: http.host = \"::ffff:10.0.0.1\": is an IPv4-mapped IPv6 address: write the IPv4 form 10.0.0.1"),
        problems("sip: {host: '[::1]'}\nhttp: {host: '::ffff:10.0.0.1'}\n"));
  }

  @Test
  void numberKeysMustBeE164() {
    assertEquals(List.of(
        "2: numbers.\"+1 234 567 8913\": key must be E.164 without separators: write \"+12345678913\"",
        "3: numbers.\"12345678913\": key must be E.164 with the country code and a leading +, e.g. \"+12345678913\" (quote it)",
        "4: numbers.\"+0123456789\": key must be an E.164 number: \"+\" and 7 to 15 digits, e.g. \"+12345678913\"",
        "5: numbers.\"+1234567890123456\": key must be an E.164 number: \"+\" and 7 to 15 digits, e.g. \"+12345678913\""),
        problems("""
            numbers:
              "+1 234 567 8913": {}
              12345678913: {}
              "+0123456789": {}
              "+1234567890123456": {}
            """));
    // Unquoted, YAML would read +12345678913 as a number, but a key keeps its text.
    assertEquals(List.of("+12345678913"),
        List.copyOf(ConfigLoader.parse("numbers:\n  +12345678913: {}\n", Map.of()).numbers().keySet()));
  }

  @Test
  void agentsAndReferences() {
    assertEquals(List.of(
        "2: agents.\"bad name\": key must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "4: agents.a.url = \"wss://\": not a valid URL: Expected authority",
        "5: agents.b.url = \"ws:///path\": must be a ws:// or wss:// URL with a host name or address",
        "6: agents.c.connect_timeout = \"0s\": must be between 1ms and 1m",
        "9: numbers.\"+12345678913\".agent = \"nobody\": no such agent (known: a, b, c, demo, echo)"),
        problems("""
            agents:
              bad name: {url: "ws://x.example"}
              a:
                url: "wss://"
              b: {url: "ws:///path"}
              c: {url: "ws://c.example/s", connect_timeout: 0s}
            numbers:
              "+12345678913":
                agent: nobody
            """));
  }

  @Test
  void theBuiltInEchoIsAnAgentNameEverywhereButCannotBeConfigured() throws ConfigException {
    RingConfig config = ConfigLoader.parse("""
        webhook:
          on_failure: connect
          fallback_agent: echo
        numbers:
          "+12345678913":
            agent: echo
          "+12345678914":
            inbound_webhook_url: https://crm.example/in
            on_webhook_failure: connect
            fallback_agent: echo
            agent: demo
        default_agent: echo
        """, Map.of());
    assertEquals("echo", config.defaultAgent());
    assertEquals("echo", config.agentFor("+12345678913"));
    assertEquals("demo", config.agentFor("+12345678914"));
    assertEquals("echo", config.agentFor("+19999999999"));
    assertEquals(java.util.Optional.of("echo"), config.webhook().fallbackAgent());
    assertEquals(java.util.Optional.of("echo"), config.webhookFor("+12345678914").fallbackAgent());
    assertEquals(List.of(
        "2: agents.echo: \"echo\" is the built-in agent; give yours another name",
        "5: numbers.\"+12345678913\".agent = \"ecoh\": no such agent (did you mean \"echo\"? known: demo, echo)"),
        problems("""
            agents:
              echo:
                url: ws://127.0.0.1:9000/
            numbers:
              "+12345678913": {agent: ecoh}
            """));
  }

  @Test
  void webhookSettingsOfANumberWithoutUrlHaveNoEffect() {
    assertEquals(List.of(
        "3: numbers.\"+12345678913\".webhook_secret = (hidden): has no effect without inbound_webhook_url"
            + " (calls to this number make no webhook request)",
        "4: numbers.\"+12345678913\".webhook_retries = 1: has no effect without inbound_webhook_url"
            + " (calls to this number make no webhook request)"),
        problems("""
            numbers:
              "+12345678913":
                webhook_secret: very-secret
                webhook_retries: 1
            """));
  }

  @Test
  void rangesAtTheirEdges() {
    RingConfig ok = ConfigLoader.parse("""
        sip: {port: 1}
        http: {port: 65535}
        rtp: {port_min: 20000, port_max: 20000, timeout: 1h}
        webhook: {retries: 10, failure_response: 699, backoff: [0ms, 1m], timeout: 5m, max_response_bytes: 16777216}
        agents: {a: {url: "ws://a.example", connect_timeout: 1m}}
        """, Map.of());
    assertEquals(1, ok.sip().port());
    assertEquals(65535, ok.http().port());
    assertEquals(20000, ok.rtp().portMax());
    assertEquals(10, ok.webhook().retries());
    assertEquals(Duration.ofMinutes(5), ok.webhook().timeout());
    assertEquals(List.of(Duration.ZERO, Duration.ofMinutes(1)), ok.webhook().backoff());
    assertEquals(List.of(), ConfigLoader.parse("webhook: {retries: 0, backoff: []}\n", Map.of()).webhook().backoff());
    assertEquals(List.of(
        "1: rtp.port_max = 20001: the range 20001..20001 holds no even port (RTP uses even ports, RFC 3550 section 11)",
        "2: webhook.failure_response = 700: must be a SIP final response code 400..699",
        "3: webhook.timeout = \"301s\": must be between 1ms and 5m",
        "4: webhook.retries = 2.5: must be a whole number",
        "5: webhook.max_response_bytes = true: must be a whole number",
        "6: webhook.backoff[0] = \"61s\": must be between 0s and 1m",
        "9: numbers.\"+12345678913\".webhook_failure_response = 399: must be a SIP final response code 400..699"),
        problems("""
            rtp: {port_min: 20001, port_max: 20001}
            webhook: {failure_response: 700,
              timeout: 301s,
              retries: 2.5,
              max_response_bytes: true,
              backoff: 61s}
            numbers:
              "+12345678913":
                {inbound_webhook_url: "http://h.example", webhook_failure_response: 399}
            """));
    assertEquals(List.of("1: rtp.port_max = 20000: must not be below port_min (20002)"),
        problems("rtp: {port_min: 20002, port_max: 20000}\n"));
  }

  @Test
  void retriesNeedABackoffPause() {
    assertEquals(List.of("1: webhook.backoff: retries need at least one backoff pause (write backoff: [0ms] for none)"),
        problems("webhook: {backoff: []}\n"));
    assertEquals(List.of(
        "5: numbers.\"+12345678913\".webhook_retries = 2: retries need at least one backoff pause"
            + " (write webhook_backoff: [0ms] for none)",
        "9: numbers.\"+12345678914\".webhook_backoff: retries need at least one backoff pause"
            + " (write webhook_backoff: [0ms] for none)"),
        problems("""
            webhook: {backoff: [], retries: 0}
            numbers:
              "+12345678913":
                inbound_webhook_url: https://crm.example.com/in
                webhook_retries: 2
              "+12345678914":
                inbound_webhook_url: https://crm.example.com/in
                webhook_retries: 1
                webhook_backoff: []
              "+12345678915":
                inbound_webhook_url: https://crm.example.com/in
                webhook_retries: 0
            """));
  }

  @Test
  void urlsWithCredentialsAreRefused() {
    assertEquals(List.of(
        "3: numbers.\"+12345678913\".inbound_webhook_url = \"https://user:pw@crm.example.com/in\": must not carry"
            + " credentials (user:password@): they would show in logs",
        "5: agents.a.url = \"ws://a.example:99999/s\": has an invalid port 99999"),
        problems("""
            numbers:
              "+12345678913":
                inbound_webhook_url: https://user:pw@crm.example.com/in
            agents:
              a: {url: "ws://a.example:99999/s"}
            """));
  }
}
