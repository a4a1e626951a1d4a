package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.media.RtpSettings;
import io.ringhook.sip.SipConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Map<String, String> ENV = Map.of("INBOUND_SECRET", "s3cr3t-value");

  @TempDir
  Path dir;

  @Test
  void noFileGivesTheDocumentedDefaults() {
    RingConfig c = ConfigLoader.load(Optional.empty(), Map.of());
    assertEquals(RingConfig.defaults(), c);
    assertEquals(new SipConfig.Listen("0.0.0.0", 5060, Optional.empty()), c.sip());
    assertEquals(new RtpSettings("0.0.0.0", 20000, 29999, Duration.ofSeconds(30)), c.rtp());
    assertEquals(List.of(), c.trunks());
    assertEquals(new HttpSettings("0.0.0.0", 8080), c.http());
    assertEquals(Map.of(), c.numbers());
    assertEquals(new WebhookSettings(Duration.ofSeconds(10), 3,
        List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)), 65536, 480,
        Optional.empty(), 16384, false), c.webhook());
    assertEquals(Map.of(), c.agents());
    assertEquals("demo", c.defaultAgent());
    assertEquals("demo", c.agentFor("+12345678913"));
    assertEquals(c.webhook(), c.webhookFor("+12345678913"));
  }

  @Test
  void emptyFileAndEmptySectionsAreTheDefaults() throws IOException {
    Path f = Files.writeString(dir.resolve("empty.yaml"), "# nothing but a comment\n");
    assertEquals(RingConfig.defaults(), ConfigLoader.load(f, Map.of()));
    assertEquals(RingConfig.defaults(),
        ConfigLoader.parse("sip:\nrtp: {}\ntrunks: []\nnumbers:\nagents: {}\n", Map.of()));
    assertEquals(RingConfig.defaults(), ConfigLoader.parse("trunks:\nhttp:\nwebhook:\nagents:\n", Map.of()));
  }

  @Test
  void adminTokenComesFromTheEnvironmentWhenTheKeyIsAbsent() {
    assertEquals(Optional.of(new Secret("t0k")),
        ConfigLoader.load(Optional.empty(), Map.of("RINGHOOK_ADMIN_TOKEN", "t0k")).http().adminToken());
    assertEquals(Optional.of(new Secret("from-file")), ConfigLoader.parse("http:\n  admin_token: from-file\n",
        Map.of("RINGHOOK_ADMIN_TOKEN", "t0k")).http().adminToken());
    assertEquals(Optional.empty(), ConfigLoader.load(Optional.empty(), Map.of()).http().adminToken());
    assertEquals(Optional.of(new Secret("t0k")),
        ConfigLoader.load(Optional.empty(), Map.of("RINGHOOK_ADMIN_TOKEN", "t0k\n")).http().adminToken(),
        "a token from a secret file loses its newline");
    assertEquals("(hidden)", ConfigLoader.load(Optional.empty(), Map.of("RINGHOOK_ADMIN_TOKEN", "t0k")).dump()
        .lines().filter(l -> l.contains("admin_token")).findFirst().orElseThrow().split(": ")[1]);
  }

  @Test
  void aPasswordInTheRecordsUrlIsNeverShown() {
    RingConfig c = ConfigLoader.parse("records:\n  url: jdbc:postgresql://db:5432/rh?user=rh&password=hunter2\n",
        Map.of());
    assertTrue(!c.dump().contains("hunter2") && !c.toString().contains("hunter2"), c.dump());
    assertTrue(c.records().url().contains("hunter2"), "the URL itself keeps it");
  }

  @Test
  void badRecordsShutdownAndLoggingValuesAreAllListed() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
        "records:\n  url: mysql://x\n  buffer: 0\nshutdown:\n  grace: 2h\nlogging:\n  format: xml\n", Map.of()));
    List<String> p = e.problems().stream().map(Object::toString).toList();
    assertEquals(4, p.size(), p.toString());
    assertTrue(p.get(0).contains("records.url") && p.get(0).contains("jdbc:sqlite:"), p.get(0));
    assertTrue(p.get(1).contains("records.buffer"), p.get(1));
    assertTrue(p.get(2).contains("shutdown.grace"), p.get(2));
    assertTrue(p.get(3).contains("logging.format") && p.get(3).contains("text or json"), p.get(3));
  }

  @Test
  void theWarmUpIsBoundedByTimeAndByCalls() {
    assertEquals(new StartupSettings(Duration.ofSeconds(90), 5000),
        ConfigLoader.parse("startup:\n  warmup: 90s\n  warmup_calls: 5000\n", Map.of()).startup());
    assertEquals(new StartupSettings(Duration.ZERO, 12_000), ConfigLoader.parse("startup: {warmup: 0s}\n", Map.of()).startup());
    assertFalse(ConfigLoader.parse("startup: {warmup: 0s}\n", Map.of()).startup().warms());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse("startup:\n  warmup: 6m\n  warmup_calls: 0\n", Map.of()));
    assertEquals(List.of("2: startup.warmup = \"6m\": must be between 0s and 5m", "3: startup.warmup_calls = 0: must be a count 1..1000000"),
        e.problems().stream().map(p -> p.toString().replaceFirst("^[^:]*:(?=\\d)", "")).toList());
  }

  @Test
  void theSetUpCheckOfAdmissionIsReadAndBounded() {
    io.ringhook.sip.AdmissionSettings a =
        ConfigLoader.parse("admission:\n  max_setup_time: 2s\n  min_setups: 50\n", Map.of()).admission();
    assertEquals(Duration.ofSeconds(2), a.maxSetupTime());
    assertEquals(50, a.minSetups());
    assertEquals(io.ringhook.sip.AdmissionSettings.DEFAULTS.maxQueueDelay(), a.maxQueueDelay());
    assertEquals(Duration.ZERO, ConfigLoader.parse("admission: {max_setup_time: 0s}\n", Map.of()).admission()
        .maxSetupTime());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse("admission:\n  max_setup_time: 2m\n  min_setups: -1\n", Map.of()));
    assertEquals(List.of("2: admission.max_setup_time = \"2m\": must be between 0s and 1m",
        "3: admission.min_setups = -1: must be a count 0..1000000"),
        e.problems().stream().map(p -> p.toString().replaceFirst("^[^:]*:(?=\\d)", "")).toList());
  }

  @Test
  void rtpHostDefaultsToSipHost() {
    RingConfig c = ConfigLoader.parse("sip: {host: 192.0.2.4}\n", Map.of());
    assertEquals("192.0.2.4", c.rtp().bindHost());
    assertEquals("0.0.0.0", c.http().host());
  }

  @Test
  void theDocumentedExampleLoadsIntoTheRecords() throws IOException {
    Path ca = Files.writeString(dir.resolve("private-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    Path f = Files.writeString(dir.resolve("ringhook.yaml"), DocsExample.yaml());
    RingConfig c = ConfigLoader.load(f, ENV);

    assertEquals(new SipConfig.Listen("0.0.0.0", 5060, Optional.of("203.0.113.7")), c.sip());
    assertEquals(new RtpSettings("0.0.0.0", 20000, 29999, Duration.ofSeconds(30)), c.rtp());
    assertEquals(List.of(
        new TrunkSettings("carrier-a", List.of("198.51.100.0/24", "203.0.113.5"), Optional.of("1"),
            List.of("X-*", "Diversion")),
        new TrunkSettings("carrier-b", List.of("2001:db8:1::/48", "192.0.2.10"), Optional.of("44"))), c.trunks());
    assertEquals(new HttpSettings("127.0.0.1", 8080, Optional.of(new Secret("change-this-token"))), c.http());
    assertEquals(new RecordsSettings("jdbc:postgresql://db.example.com:5432/ringhook", Optional.of("ringhook"),
        Optional.of(new Secret("change-me")), 10000, Duration.ofSeconds(5)), c.records());
    assertEquals(new ShutdownSettings(Duration.ofSeconds(30), Duration.ofSeconds(30)), c.shutdown());
    assertEquals(LoggingSettings.Format.JSON, c.logging().format());

    WebhookSettings defaults = new WebhookSettings(Duration.ofSeconds(10), 3,
        List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)), 65536, 480,
        Optional.of(ca.toAbsolutePath().normalize()), 16384, false);
    assertEquals(defaults, c.webhook());

    assertEquals(List.of("+12345678913", "+12345678914", "+12345678915", "+442071838750", "+15550009"),
        List.copyOf(c.numbers().keySet()));
    assertEquals(new NumberSettings("+12345678913", Optional.of(URI.create("https://crm.example.com/inbound")),
        Optional.of(new Secret("s3cr3t-value")), Optional.of("sales"), defaults), c.numbers().get("+12345678913"));
    assertEquals(new NumberSettings("+12345678914",
        Optional.of(URI.create("https://crm.example.com/inbound?line=support")),
        Optional.of(new Secret("change-me")), Optional.of("support"),
        new WebhookSettings(Duration.ofSeconds(5), 1, List.of(Duration.ofSeconds(2)), 65536, 503, defaults.caFile(),
            16384, false, true, WebhookSettings.OnFailure.CONNECT, Optional.of("sales"),
            Set.of(WebhookSettings.Include.SIP_HEADERS, WebhookSettings.Include.CALL_ID),
            Optional.of(URI.create("https://crm.example.com/call-ended")), Optional.empty())),
        c.numbers().get("+12345678914"));
    assertTrue(c.webhookFor("+12345678915").h2c(), "webhook_h2c: true");
    assertFalse(c.webhookFor("+12345678913").h2c());
    assertEquals(new NumberSettings("+442071838750", Optional.empty(), Optional.empty(), Optional.empty(), defaults),
        c.numbers().get("+442071838750"));
    assertEquals("echo", c.agentFor("+15550009"));

    assertEquals(Map.of(
        "sales", new AgentSettings("sales", URI.create("wss://agents.example.com/stream"), Duration.ofSeconds(3)),
        "support", new AgentSettings("support", URI.create("ws://127.0.0.1:9000/stream"), Duration.ofSeconds(3))),
        c.agents());
    assertEquals("demo", c.defaultAgent());

    assertEquals("sales", c.agentFor("+12345678913"));
    assertEquals("demo", c.agentFor("+442071838750"));
    assertEquals("demo", c.agentFor("+19995550000"));
    assertEquals(503, c.webhookFor("+12345678914").failureResponse());
    assertEquals(defaults, c.webhookFor("+19995550000"));
  }

  @Test
  void sipConfigCarriesTheSipSettingsAndTrunks() {
    RingConfig c = ConfigLoader.parse("""
        sip: {host: 10.0.0.2, port: 5070, advertise: 203.0.113.7}
        trunks:
          - {name: a, allow: [10.1.0.0/16], default_country_code: 44}
          - {name: b, allow: 192.0.2.9}
        """, Map.of());
    SipConfig s = c.sipConfig("ringhook/0.1.0");
    assertEquals(new SipConfig("10.0.0.2", 5070, Optional.of("203.0.113.7"), List.of(
        new SipConfig.Trunk("a", List.of("10.1.0.0/16"), Optional.of("44")),
        new SipConfig.Trunk("b", List.of("192.0.2.9"), Optional.empty())),
        "ringhook/0.1.0", Duration.ofSeconds(32)), s);
  }

  @Test
  void dumpLoadsBackToTheSameConfigAndHidesSecrets() throws IOException {
    Files.writeString(dir.resolve("private-ca.pem"), "x");
    Path f = Files.writeString(dir.resolve("ringhook.yaml"), DocsExample.yaml());
    RingConfig c = ConfigLoader.load(f, ENV);
    String dump = c.dump();
    assertFalse(dump.contains("s3cr3t-value"), dump);
    assertFalse(dump.contains("change-me"), dump);
    assertFalse(c.toString().contains("s3cr3t-value"), c.toString());
    assertTrue(dump.contains("webhook_secret: (hidden)"), dump);

    RingConfig back = ConfigLoader.parse(dump, Map.of());
    // Equal but for the secrets, which the dump hides.
    assertEquals(withoutSecrets(c), withoutSecrets(back));
    assertEquals(new Secret("(hidden)"), back.numbers().get("+12345678913").webhookSecret().orElseThrow());
  }

  @Test
  void defaultsDumpLoadsBackAndIsDocumented() {
    String dump = RingConfig.defaults().dump();
    assertEquals(RingConfig.defaults(), ConfigLoader.parse(dump, Map.of()));
    assertTrue(DocsExample.read().contains("```yaml\n" + dump + "```"), "docs/configuration.md shows the defaults");
  }

  @Test
  void aMissingFileIsOneProblem() {
    Path f = dir.resolve("nope.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.of(f), Map.of()));
    assertEquals(List.of(f + ": no such file"), e.problems().stream().map(Object::toString).toList());
  }

  @Test
  void aYamlSyntaxErrorSaysWhere() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse("sip:\n  port: [5060\nrtp: {}\n", "ringhook.yaml", dir, Map.of()));
    assertEquals(List.of("ringhook.yaml:3: YAML syntax error: expected ',' or ']', but got : (while parsing a flow"
        + " sequence at line 2)"), e.problems().stream().map(Object::toString).toList());
    assertTrue(DocsExample.read().contains(e.problems().get(0).toString()), "docs show this output");
  }

  private static RingConfig withoutSecrets(RingConfig c) {
    Map<String, NumberSettings> numbers = new java.util.LinkedHashMap<>();
    c.numbers().forEach((k, n) -> numbers.put(k, new NumberSettings(n.number(), n.inboundWebhookUrl(),
        Optional.empty(), n.agent(), n.webhook())));
    return new RingConfig(c.sip(), c.rtp(), c.trunks(), new HttpSettings(c.http().host(), c.http().port()), numbers,
        c.webhook(), c.agents(), c.defaultAgent(), new RecordsSettings(c.records().url(), c.records().user(),
        Optional.empty(), c.records().buffer(), c.records().numbersRefresh()), c.shutdown(), c.logging(),
        c.admission(), c.startup());
  }
}
