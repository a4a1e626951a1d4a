package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin API changing a live server (issue 5): a number's webhook set, changed and removed over
 * HTTP takes effect for the next real SIP call, without a restart; the token guards the API; the
 * metrics count the calls made.
 */
@Timeout(60)
class NumbersApiIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String TOKEN = "it-admin-token";
  private static final String FROM = "sip:+12345678912@127.0.0.1";
  private static final String NUMBER = "+15550000010";
  private static final String PATH = "/v1/numbers/%2B15550000010";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void aWebhookSetThroughTheApiIsUsedForTheNextCallAndRemovingItRestoresTheFile() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(200, "{\"dynamic_variables\":{\"plan\":\"gold\"}}")));
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\": {}\n",
        Map.of("RINGHOOK_ADMIN_TOKEN", TOKEN)));
    SipTestClient client = resources.add(SipTestClient.builder("numbers-api").start());
    RtpPeer rtp = resources.add(RtpPeer.open("numbers-api"));
    AdminClient admin = new AdminClient(ring.httpPort(), Optional.of(TOKEN));

    // The file lists the number without a webhook: straight to the agent, no request.
    assertEquals("file", admin.get(PATH).json().path("source").asText());
    CallSummary first = ring.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT);
    assertEquals(Outcome.CONNECTED, first.outcome(), first.toString());
    assertEquals(0, hook.requests().size());

    JsonNode put = admin.put(PATH, "{\"inbound_webhook_url\":\"" + hook.url("/crm") + "\","
        + "\"webhook_secret\":\"s3cret\"}").json();
    assertEquals("api_over_file", put.path("source").asText(), put.toString());
    assertEquals(hook.url("/crm"), put.path("inbound_webhook_url").asText());
    assertTrue(put.path("webhook_secret_set").asBoolean(), put.toString());
    assertTrue(!put.toString().contains("s3cret"), "the secret is never shown: " + put);

    CallSummary second = ring.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT);
    assertEquals(Outcome.CONNECTED, second.outcome(), second.toString());
    assertEquals(Map.of("plan", "gold"), second.variables());
    assertEquals(1, hook.requests().size(), hook.requests().toString());
    TestWebhook.Received r = hook.requests().get(0);
    assertEquals("/crm", r.target());
    assertEquals("{\"event\":\"inbound_call\",\"from_number\":\"+12345678912\",\"to_number\":\"" + NUMBER + "\"}",
        r.bodyText());
    assertTrue(r.header("X-Ringhook-Signature") != null, "signed with the API's secret: " + r);

    assertEquals(204, admin.delete(PATH).status());
    assertEquals(404, admin.delete(PATH).status());
    assertEquals("file", admin.get(PATH).json().path("source").asText());
    CallSummary third = ring.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT);
    assertEquals(Outcome.CONNECTED, third.outcome());
    assertEquals(1, hook.requests().size(), "no request once the API entry is gone: " + hook.requests());

    // Mistakes get 400 with what to fix, and change nothing.
    assertEquals(400, admin.put(PATH, "{\"inbound_webhook_url\":\"ftp://x\"}").status());
    assertEquals(400, admin.put(PATH, "{\"agent\":\"nobody\"}").status());
    assertEquals(400, admin.put("/v1/numbers/12ab", "{}").status());
    assertEquals(400, admin.put(PATH, "not json").status());
    assertEquals("file", admin.get(PATH).json().path("source").asText());

    // The metrics saw the three calls and the one webhook attempt.
    AdminClient.Reply metrics = admin.get("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.header("Content-Type").orElse("").startsWith("text/plain"), metrics.toString());
    assertEquals(3.0, sample(metrics.body(), "ringhook_calls_total", "outcome=\"connected\""), metrics.body());
    assertEquals(1.0, sample(metrics.body(), "ringhook_webhook_attempts_total", "result=\"ok\""), metrics.body());
    assertEquals(0.0, sample(metrics.body(), "ringhook_calls_active", ""), metrics.body());
    assertEquals(1.0, sample(metrics.body(), "ringhook_webhook_latency_seconds_count", ""), metrics.body());
    assertTrue(sample(metrics.body(), "ringhook_rtp_packets_total", "direction=\"in\"") >= 0, metrics.body());
  }

  @Test
  void theApiNeedsTheTokenButHealthAndReadinessDoNot() throws Exception {
    // The fixture's YAML ends its http section last, so this line continues it (token from the file).
    RingFixture ring = resources.add(RingFixture.start("  admin_token: " + TOKEN + "\n"));
    AdminClient anonymous = new AdminClient(ring.httpPort(), Optional.empty());
    AdminClient wrong = new AdminClient(ring.httpPort(), Optional.of("not-" + TOKEN));
    AdminClient right = new AdminClient(ring.httpPort(), Optional.of(TOKEN));
    for (String path : new String[] {"/v1/numbers", "/v1/calls", "/metrics"}) {
      AdminClient.Reply r = anonymous.get(path);
      assertEquals(401, r.status(), path + ": " + r.body());
      assertTrue(r.header("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
      assertTrue(r.json().path("error").isTextual(), r.body());
      assertEquals(401, wrong.get(path).status(), path);
      assertEquals(200, right.get(path).status(), path);
    }
    assertEquals(200, anonymous.get("/healthz").status());
    AdminClient.Reply ready = anonymous.get("/readyz");
    assertEquals(200, ready.status(), ready.body());
  }


  /** The value of a Prometheus sample {@code name{...labels...}}, or fails. */
  static double sample(String exposition, String name, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(exposition);
    while (m.find()) {
      if (label.isEmpty() || (m.group(1) != null && m.group(1).contains(label))) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no sample " + name + "{" + label + "}");
  }
}
