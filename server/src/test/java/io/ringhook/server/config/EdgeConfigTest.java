package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.TcpLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings of issue 13's defences: SIP/TCP limits, the admin API's allowed hosts, webhook targets. */
class EdgeConfigTest {

  @Test
  void tcpLimitsAllowedHostsAndAllowPrivateLoadAndDumpBack() {
    RingConfig c = ConfigLoader.parse(""
        + "sip:\n"
        + "  tcp_max_connections: 200\n"
        + "  tcp_max_connections_per_source: 20\n"
        + "  tcp_first_message_timeout: 5s\n"
        + "  tcp_idle_timeout: 2m\n"
        + "http:\n"
        + "  allowed_hosts: [ringhook.internal, Admin.Example.COM]\n"
        + "webhook:\n"
        + "  allow_private: false\n", Map.of());
    assertEquals(new TcpLimits(200, 20, Duration.ofSeconds(5), Duration.ofMinutes(2)), c.sip().tcp());
    assertEquals(List.of("ringhook.internal", "admin.example.com"), c.http().allowedHosts());
    assertFalse(c.webhook().allowPrivate());
    assertEquals(c, ConfigLoader.parse(c.dump(), Map.of()));
  }

  @Test
  void badValuesAreProblems() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(""
        + "sip:\n"
        + "  tcp_max_connections: 10\n"
        + "  tcp_max_connections_per_source: 20\n"
        + "http:\n"
        + "  allowed_hosts: [\"http://evil.example\"]\n"
        + "webhook:\n"
        + "  allow_private: maybe\n"
        + "numbers:\n"
        + "  \"+12345678913\":\n"
        + "    inbound_webhook_url: http://169.254.169.254/latest/meta-data/\n", Map.of()));
    String all = e.getMessage();
    assertTrue(all.contains("sip.tcp_max_connections_per_source must not exceed sip.tcp_max_connections"), all);
    assertTrue(all.contains("http.allowed_hosts[0]"), all);
    assertTrue(all.contains("webhook.allow_private"), all);
    assertTrue(all.contains("must not point at 169.254.169.254 is link-local"), all);
  }

  @Test
  void privateWebhooksAreRefusedOnlyWhenTurnedOff() {
    String number = "numbers:\n  \"+12345678913\":\n    inbound_webhook_url: http://10.0.0.5/in\n";
    ConfigLoader.parse(number, Map.of());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse("webhook:\n  allow_private: false\n" + number, Map.of()));
    assertTrue(e.getMessage().contains("loopback or private"), e.getMessage());
  }
}
