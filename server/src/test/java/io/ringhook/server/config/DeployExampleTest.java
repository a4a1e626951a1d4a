package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The instance settings shipped beside the Kamailio front (deploy/kamailio/ringhook.yaml) load and say what docs/scaling.md says. */
class DeployExampleTest {
  private static final Path FILE = Path.of("..", "deploy", "kamailio", "ringhook.yaml");

  @Test
  void instanceBehindTheProxyLoadsWithItsOwnAddressFromTheEnvironment() {
    RingConfig config = ConfigLoader.load(FILE, Map.of("RINGHOOK_HOST", "10.0.0.11", "RINGHOOK_DB_PASSWORD", "s3cret"));
    assertEquals("10.0.0.11", config.sip().host(), "Contact and SDP name the instance, not the proxy");
    assertEquals(List.of("10.0.0.5/32"), config.trunks().get(0).allow(), "the proxy is the only trunk");
    assertTrue(config.records().url().startsWith("jdbc:postgresql:"), "one shared PostgreSQL");
    assertEquals(Duration.ofSeconds(300), config.shutdown().grace());
  }
}
