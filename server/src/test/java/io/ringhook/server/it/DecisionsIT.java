package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.header.ReasonHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a webhook's answer may decide beyond variables, and the post-call event, end to end (issue
 * 18): a JAIN-SIP caller, a real local webhook, real WebSocket agents and a real post-call
 * receiver; the assertions are on what each of them saw and on the record the admin API returns.
 */
@Timeout(60)
class DecisionsIT {
  private static final Duration WAIT = AgentCalls.WAIT;
  private static final String FROM = "sip:+12345678912@127.0.0.1";
  private static final String NUMBER = AgentCalls.NUMBER;
  private static final String SECRET = "whsec_it_" + UUID.randomUUID();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A trunk for the loopback callers that passes X- headers and Diversion on. */
  private static final String TRUNK = "trunks:\n"
      + "  - name: carrier\n"
      + "    allow: [127.0.0.1]\n"
      + "    sip_headers: [\"X-*\", Diversion]\n";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void aDeclineEndsTheCallAtOnceWithItsStatusAndReason() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(200, "{\"decline\":{\"status\":486,\"reason\":\"spam\"}}")));
    RingFixture ring = resources.add(RingFixture.start(TRUNK
        + webhookNumber(hook)
        + "    webhook_include: [sip_headers, call_id, trunk]\n"));
    SipTestClient client = resources.add(SipTestClient.builder("decline").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from(FROM).header("X-Spam-Score", "0.97")
        .header("Subject", "not passed on").send();
    call.awaitResponse(180, WAIT);
    Response busy = call.awaitResponse(486, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);

    ReasonHeader reason = (ReasonHeader) busy.getHeader(ReasonHeader.NAME);
    assertNotNull(reason, "486 should carry the customer's Reason: " + busy);
    assertEquals("SIP", reason.getProtocol());
    assertEquals(486, reason.getCause());
    assertEquals("spam", reason.getText());
    assertEquals(1, hook.requests().size(), "a decline is not retried: " + hook.requests());
    assertEquals(Outcome.DECLINED, summary.outcome(), summary.toString());
    // webhook_include: the documented three fields first, then the ones asked for.
    assertEquals("{\"event\":\"inbound_call\",\"from_number\":\"+12345678912\",\"to_number\":\"" + NUMBER + "\","
        + "\"sip_headers\":{\"X-Spam-Score\":\"0.97\"},\"call_id\":\"" + summary.call().callId() + "\","
        + "\"trunk\":\"carrier\"}", hook.requests().get(0).bodyText());

    JsonNode record = admin(ring).await("/v1/calls/" + summary.call().callId(), 200, WAIT).json();
    assertEquals("declined", record.path("outcome").asText(), record.toString());
    assertEquals(486, record.path("final_status").asInt());
    assertEquals("spam", record.path("end_reason").asText());
    assertTrue(ring.server().config().numbers().containsKey(NUMBER));
    assertTrue(scrape(ring).contains("ringhook_declines_total{status=\"486\"} 1.0"), scrape(ring));
  }

  @Test
  void theAnswerChoosesTheAgentAndHandsItMetadataAndTheCallEndedEventFollowsSigned() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(200,
        "{\"dynamic_variables\":{\"name\":\"Ann\"},\"agent\":\"second\","
            + "\"metadata\":{\"crm_id\":42,\"tags\":[\"vip\"]}}")));
    // The receiver fails the first delivery: the event is retried after a pause, then replayed on request.
    AtomicInteger received = new AtomicInteger();
    TestWebhook receiver = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(received.incrementAndGet() == 1 ? 503 : 204, "")));
    TestAgent first = resources.add(TestAgent.start());
    TestAgent second = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(TRUNK
        + webhookNumber(hook)
        + "    webhook_secret: ${SECRET}\n"
        + "    agent: first\n"
        + "    call_ended_webhook_url: " + receiver.url("/ended") + "\n"
        + "agents:\n"
        + "  first:\n    url: " + first.url() + "\n"
        + "  second:\n    url: " + second.url() + "\n",
        Map.of("SECRET", SECRET)));
    SipTestClient client = resources.add(SipTestClient.builder("agentchoice").start());
    RtpPeer rtp = resources.add(RtpPeer.open("agentchoice"));

    CallSummary summary = ring.answerAndHangUp(client.invite(ring.uri(NUMBER)).from(FROM)
        .sdp(Sdp.audio(rtp.port(), 0, 101)).header("X-Customer-Id", "c-981")
        .header("Diversion", "<sip:+15550100@carrier.example>;reason=no-answer").send(), WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    TestAgent.Message start = second.awaitStream(WAIT).await("start", WAIT);
    assertEquals(Map.of("from_number", "+12345678912", "to_number", NUMBER, "name", "Ann",
        "sip_headers", "{\"X-Customer-Id\":\"c-981\","
            + "\"Diversion\":\"<sip:+15550100@carrier.example>;reason=no-answer\"}",
        "metadata", "{\"crm_id\":42,\"tags\":[\"vip\"]}"),
        AgentCalls.strings(start.json().at("/start/customParameters")), start.toString());
    assertEquals(List.of(), first.streams(), "the number's own agent is not called");

    // The event: retried once after the 503, then delivered; signed as docs/webhook.md says.
    List<TestWebhook.Received> events = receiver.awaitRequests(2, WAIT);
    TestWebhook.Received event = events.get(1);
    assertEquals("/ended", event.target());
    assertEquals("2", event.header("X-Ringhook-Attempt"));
    assertEquals(events.get(0).header("Idempotency-Key"), event.header("Idempotency-Key"));
    WebhookCallIT.assertSignedAsDocumented(SECRET, event);
    JsonNode body = JSON.readTree(event.body());
    String id = summary.call().callId();
    assertEquals("call_ended", body.path("event").asText(), body.toString());
    assertEquals(id, body.path("call_id").asText());
    assertEquals("connected", body.path("outcome").asText());
    assertEquals("caller", body.path("ended_by").asText());
    assertEquals("second", body.path("agent").asText());
    assertEquals(42, body.at("/metadata/crm_id").asInt(), body.toString());
    assertEquals(1, body.path("webhook_attempts").size());
    assertTrue(body.path("duration_ms").isIntegralNumber(), body.toString());
    assertTrue(body.path("call_ended").isMissingNode(), "the event does not describe its own delivery");

    AdminClient admin = admin(ring);
    JsonNode record = awaitDelivery(admin, id, "delivered");
    assertEquals("second", record.path("agent").asText());
    assertEquals("[\"vip\"]", record.at("/metadata/tags").toString(), record.toString());
    assertEquals(List.of(503, 204), statuses(record));
    assertEquals("c-981", record.at("/sip_headers/X-Customer-Id").asText(), record.toString());

    // A replay on request: one more POST, the same key, recorded.
    AdminClient.Reply replay = admin.post("/v1/calls/" + id + "/redeliver");
    assertEquals(202, replay.status(), replay.body());
    assertEquals(3, receiver.awaitRequests(3, WAIT).size());
    assertEquals(event.header("Idempotency-Key"), receiver.requests().get(2).header("Idempotency-Key"));
    awaitAttempts(admin, id, 3, "delivered");
    assertEquals(404, admin.post("/v1/calls/nosuchcall/redeliver").status());
    assertTrue(scrape(ring).contains("ringhook_call_ended_deliveries_total{result=\"delivered\"} 2.0"),
        scrape(ring));
  }

  @Test
  void aFailedWebhookWithOnFailureConnectReachesTheFallbackAgentToldWhy() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(500, "{\"error\":\"down\"}")));
    TestAgent fallback = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(""
        + webhookNumber(hook)
        + "    webhook_retries: 0\n"
        + "    on_webhook_failure: connect\n"
        + "    fallback_agent: backup\n"
        + AgentCalls.agents("backup", fallback.url(), "2s")));
    SipTestClient client = resources.add(SipTestClient.builder("fallback").start());
    RtpPeer rtp = resources.add(RtpPeer.open("fallback"));

    CallSummary summary = ring.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    Map<String, String> params = AgentCalls.strings(
        fallback.awaitStream(WAIT).await("start", WAIT).json().at("/start/customParameters"));
    assertEquals("true", params.get("webhook_failed"), params.toString());
    assertTrue(params.get("webhook_failure").startsWith("webhook: 1 attempt failed, last: status (HTTP 500"),
        params.toString());
    assertEquals(1, hook.requests().size());

    JsonNode record = admin(ring).await("/v1/calls/" + summary.call().callId(), 200, WAIT).json();
    assertEquals("connected", record.path("outcome").asText(), record.toString());
    assertEquals("backup", record.path("agent").asText());
    assertEquals(params.get("webhook_failure"), record.path("webhook_failure").asText());
    assertEquals("status", record.at("/webhook_attempts/0/failure").asText());
  }

  @Test
  void anOpenCircuitSkipsTheWebhookUntilAProbeSucceeds() throws Exception {
    AtomicBoolean up = new AtomicBoolean();
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(up.get() ? 200 : 500, "{}")));
    RingFixture ring = resources.add(RingFixture.start(""
        + webhookNumber(hook)
        + "webhook:\n"
        + "  retries: 1\n"
        + "  backoff: [10ms]\n"
        + "  circuit_breaker: {failures: 2, window: 10s, cool_down: 3s}\n"));
    SipTestClient client = resources.add(SipTestClient.builder("circuit").start());
    RtpPeer rtp = resources.add(RtpPeer.open("circuit"));

    // Two failed attempts open the origin's breaker; the next caller is refused without a request.
    client.invite(ring.uri(NUMBER)).from(FROM).send().awaitResponse(480, WAIT);
    ring.awaitCallEnded(WAIT);
    assertEquals(2, hook.requests().size());
    long t0 = System.nanoTime();
    client.invite(ring.uri(NUMBER)).from(FROM).send().awaitResponse(480, WAIT);
    CallSummary skipped = ring.awaitCallEnded(WAIT);
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "refused at once");
    assertEquals(2, hook.requests().size(), "the open circuit asked no one");
    assertTrue(skipped.detail().contains("circuit breaker"), skipped.toString());
    assertEquals(List.of(), skipped.attempts());

    // After the cool-down (3 s: the refused call must come well within it on a loaded box) one probe
    // call asks again; its success closes the breaker.
    Thread.sleep(3100);
    up.set(true);
    assertEquals(Outcome.CONNECTED, ring.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT).outcome());
    assertEquals(3, hook.requests().size());
    String metrics = scrape(ring);
    for (String to : List.of("open", "half_open", "closed")) {
      assertTrue(metrics.contains("ringhook_webhook_circuit_transitions_total{to=\"" + to + "\"} 1.0"), metrics);
    }
  }

  @Test
  void aPendingCallEndedEventSurvivesARestart() throws Exception {
    AtomicBoolean up = new AtomicBoolean();
    TestWebhook receiver = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(up.get() ? 200 : 503, "")));
    Path dir = Files.createTempDirectory("ringhook-restart-");
    String yaml = "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    call_ended_webhook_url: " + receiver.url("/ended") + "\n"
        + "records:\n  url: jdbc:sqlite:" + dir.resolve("ringhook.db") + "\n";
    SipTestClient client = resources.add(SipTestClient.builder("restart").start());
    RtpPeer rtp = resources.add(RtpPeer.open("restart"));
    String id;
    try (RingFixture ring = RingFixture.start(yaml)) {
      id = ring.answerAndHangUp(client, rtp, FROM, NUMBER, WAIT).call().callId();
      // Refused with 503 and stored as pending; the retry is due a second later, after the restart.
      awaitAttempts(admin(ring), id, 1, "pending");
    }
    up.set(true);
    int before = receiver.requests().size();
    try (RingFixture again = RingFixture.start(yaml)) {
      List<TestWebhook.Received> events = receiver.awaitRequests(before + 1, WAIT);
      assertEquals(id, JSON.readTree(events.get(before).body()).path("call_id").asText());
      List<Integer> statuses = statuses(awaitDelivery(admin(again), id, "delivered"));
      assertEquals(503, statuses.get(0), statuses.toString());
      assertEquals(200, statuses.get(statuses.size() - 1), "delivered by the restarted server: " + statuses);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The {@code numbers:} section with {@link #NUMBER} asking {@code hook}; its own keys may follow. */
  private static String webhookNumber(TestWebhook hook) {
    return "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n";
  }

  private static AdminClient admin(RingFixture ring) {
    return new AdminClient(ring.httpPort(), Optional.empty());
  }

  private static String scrape(RingFixture ring) {
    return admin(ring).get("/metrics").body();
  }

  private static List<Integer> statuses(JsonNode record) {
    return java.util.stream.StreamSupport.stream(record.at("/call_ended/attempts").spliterator(), false)
        .map(a -> a.path("status").asInt()).toList();
  }

  private static JsonNode awaitDelivery(AdminClient admin, String id, String state) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode r = admin.await("/v1/calls/" + id, 200, WAIT).json();
    while (!state.equals(r.at("/call_ended/state").asText()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      r = admin.get("/v1/calls/" + id).json();
    }
    assertEquals(state, r.at("/call_ended/state").asText(), r.toString());
    return r;
  }

  private static void awaitAttempts(AdminClient admin, String id, int n, String state) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode r = admin.get("/v1/calls/" + id).json();
    while (r.at("/call_ended/attempts").size() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
      r = admin.get("/v1/calls/" + id).json();
    }
    assertEquals(n, r.at("/call_ended/attempts").size(), r.toString());
    assertEquals(state, r.at("/call_ended/state").asText(), r.toString());
  }
}
