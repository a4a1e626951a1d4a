package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import io.ringhook.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two ringhook instances sharing one real PostgreSQL (issue 5): a number set through one
 * instance's API steers the other's next call, and each instance sees the other's call records.
 * The test command starts the database (scripts/start-test-postgres.sh) and names it in
 * {@code RINGHOOK_TEST_PG_URL}, {@code _USER}, {@code _PASSWORD}.
 */
@Timeout(60)
class SharedPostgresIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String FROM = "sip:+12345678912@127.0.0.1";
  private static final String NUMBER = "+15550000020";
  private static final String PATH = "/v1/numbers/%2B15550000020";

  private final Resources resources = new Resources();
  private String url;
  private String user;
  private String password;
  private String schema;

  @BeforeEach
  void freshSchema() throws Exception {
    url = System.getenv("RINGHOOK_TEST_PG_URL");
    if (url == null || url.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        fail("RINGHOOK_TEST_PG_URL is not set: scripts/test.sh starts PostgreSQL and sets it");
      }
      Assumptions.abort("RINGHOOK_TEST_PG_URL not set (run scripts/test.sh, or scripts/start-test-postgres.sh)");
    }
    user = System.getenv("RINGHOOK_TEST_PG_USER");
    password = System.getenv("RINGHOOK_TEST_PG_PASSWORD");
    // A schema of this test's own, so that earlier tests' rows are not seen and none are left behind.
    schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
  }

  @AfterEach
  void dropSchema() throws Exception {
    resources.close();
    if (schema != null) {
      try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  @Test
  void twoInstancesShareNumbersAndHistory() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(200, "{\"dynamic_variables\":{\"shared\":\"yes\"}}")));
    String records = "records:\n"
        + "  url: " + url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema + "\n"
        + "  user: ${PG_USER}\n"
        + "  password: ${PG_PASSWORD}\n"
        + "  numbers_refresh: 200ms\n";
    Map<String, String> env = Map.of("PG_USER", user, "PG_PASSWORD", password);
    RingFixture a = resources.add(RingFixture.start(records, env));
    RingFixture b = resources.add(RingFixture.start(records, env));
    AdminClient adminA = new AdminClient(a.httpPort(), Optional.empty());
    AdminClient adminB = new AdminClient(b.httpPort(), Optional.empty());
    SipTestClient client = resources.add(SipTestClient.builder("shared-pg").start());
    RtpPeer rtp = resources.add(RtpPeer.open("shared-pg"));

    assertEquals(200, adminA.put(PATH, "{\"inbound_webhook_url\":\"" + hook.url("/shared") + "\"}").status());
    awaitSource(adminB, "api");

    CallSummary onB = b.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT);
    assertEquals(Outcome.CONNECTED, onB.outcome(), onB.toString());
    assertEquals(Map.of("shared", "yes"), onB.variables());
    assertEquals(1, hook.requests().size(), "B used the webhook set through A: " + hook.requests());

    // B's record is in the shared history, so A's API shows it.
    JsonNode rec = adminA.await("/v1/calls/" + onB.call().callId(), 200, WAIT).json();
    assertEquals("connected", rec.path("outcome").asText(), rec.toString());
    assertEquals("shared", rec.path("variables").fieldNames().next());
    assertEquals(200, rec.path("webhook_attempts").get(0).path("status").asInt(), rec.toString());

    assertEquals(204, adminA.delete(PATH).status());
    awaitStatus(adminB, 404);
    CallSummary again = b.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT);
    assertEquals(Outcome.CONNECTED, again.outcome());
    assertEquals(1, hook.requests().size(), "no webhook once the entry is deleted: " + hook.requests());
    JsonNode list = adminA.await("/v1/calls/" + again.call().callId(), 200, WAIT).json();
    assertTrue(list.path("webhook_attempts").isEmpty(), list.toString());
  }

  private static void awaitSource(AdminClient admin, String source) throws InterruptedException {
    Await.until(() -> "the other instance never saw the number's " + source + " entry: " + admin.get(PATH).body(),
        WAIT, () -> {
          AdminClient.Reply r = admin.get(PATH);
          return r.status() == 200 && source.equals(r.json().path("source").asText());
        });
  }

  private static void awaitStatus(AdminClient admin, int status) throws InterruptedException {
    admin.await(PATH, status, WAIT);
  }
}
