package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Call records end to end (issue 5): real SIP calls of each outcome from a JAIN-SIP caller, a real
 * webhook server and a real WebSocket agent; the records are then read the way an operator reads
 * them, through the admin API over HTTP, and compared with what each peer saw.
 */
@Timeout(60)
class CallRecordsIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String FROM = "sip:+12345678912@127.0.0.1";
  private static final String CONNECTED = "+15550000001";
  private static final String FAILING = "+15550000002";
  private static final String HELD = "+15550000003";
  private static final String DEAD_AGENT = "+15550000004";
  private static final String OPUS_ONLY = "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 40000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void everyOutcomeLeavesOneRecordWithItsTimesAttemptsVariablesAndAgent() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> switch (r.target()) {
      case "/ok" -> TestWebhook.Reply.json(200, "{\"dynamic_variables\":{\"first_name\":\"Jim\"}}");
      case "/fail" -> TestWebhook.Reply.json(500, "{\"error\":\"down\"}");
      default -> TestWebhook.Reply.hold();
    }));
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + CONNECTED + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/ok") + "\n"
        + "    agent: tester\n"
        + "  \"" + FAILING + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/fail") + "\n"
        + "    webhook_retries: 1\n"
        + "    webhook_backoff: [0ms]\n"
        + "  \"" + HELD + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/hold") + "\n"
        + "  \"" + DEAD_AGENT + "\":\n"
        + "    agent: dead\n"
        + "agents:\n"
        + "  tester:\n"
        + "    url: " + agent.url() + "\n"
        + "  dead:\n"
        + "    url: ws://127.0.0.1:9/stream\n"
        + "    connect_timeout: 2s\n"));
    SipTestClient client = resources.add(SipTestClient.builder("records").start());
    RtpPeer rtp = resources.add(RtpPeer.open("records"));
    AdminClient admin = new AdminClient(ring.httpPort(), Optional.empty());
    Instant before = Instant.now();

    // connected: webhook 200 with a variable, the agent answers, the caller hangs up.
    SipTestCall ok = client.invite(ring.uri(CONNECTED)).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    ok.awaitResponse(200, WAIT);
    ok.ack();
    agent.awaitStream(WAIT).await("start", WAIT);
    ok.bye();
    ok.awaitResponse(Request.BYE, 200, WAIT);
    CallSummary connected = ring.awaitCallEnded(WAIT);

    // webhook_failed: 500 twice (one retry), 480 to the caller.
    SipTestCall failing = client.invite(ring.uri(FAILING)).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    failing.awaitResponse(480, WAIT);
    CallSummary failed = ring.awaitCallEnded(WAIT);

    // cancelled: the webhook holds its answer, the caller gives up.
    SipTestCall held = client.invite(ring.uri(HELD)).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    held.awaitResponse(180, WAIT);
    hook.awaitRequests(4, WAIT);
    held.cancel();
    held.awaitResponse(487, WAIT);
    CallSummary cancelled = ring.awaitCallEnded(WAIT);

    // agent_unreachable: nothing listens where the agent should be.
    SipTestCall dead = client.invite(ring.uri(DEAD_AGENT)).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    dead.awaitResponse(503, WAIT);
    CallSummary unreachable = ring.awaitCallEnded(WAIT);

    // no_codec: an offer ringhook cannot answer, refused before it rings.
    SipTestCall opus = client.invite(ring.uri(CONNECTED)).from(FROM).sdp(OPUS_ONLY).send();
    opus.awaitResponse(488, WAIT);
    CallSummary noCodec = ring.awaitCallEnded(WAIT);

    JsonNode c = admin.await("/v1/calls/" + connected.call().callId(), 200, WAIT).json();
    assertEquals("connected", c.path("outcome").asText(), c.toString());
    assertEquals(200, c.path("final_status").asInt());
    assertEquals("caller", c.path("ended_by").asText());
    assertEquals(ok.callId(), c.path("sip_call_id").asText());
    assertEquals("+12345678912", c.path("from_number").asText());
    assertEquals(CONNECTED, c.path("to_number").asText());
    assertEquals("Jim", c.path("variables").path("first_name").asText());
    assertEquals("tester", c.path("agent").asText());
    assertTrue(c.path("source").asText().startsWith("127.0.0.1:"), c.toString());
    assertInOrder(c, before, "received", "ringing", "decided", "answered", "ended");
    assertTrue(c.path("duration_ms").asLong() >= 0, c.toString());
    assertEquals(1, c.path("webhook_attempts").size(), c.toString());
    assertEquals(200, c.path("webhook_attempts").get(0).path("status").asInt());
    assertTrue(c.path("webhook_attempts").get(0).path("failure").isNull(), c.toString());

    JsonNode f = admin.await("/v1/calls/" + failed.call().callId(), 200, WAIT).json();
    assertEquals("webhook_failed", f.path("outcome").asText(), f.toString());
    assertEquals(480, f.path("final_status").asInt());
    assertEquals("ringhook", f.path("ended_by").asText());
    assertTrue(f.path("answered").isNull() && f.path("duration_ms").isNull(), f.toString());
    assertEquals(2, f.path("webhook_attempts").size(), f.toString());
    for (int i = 0; i < 2; i++) {
      JsonNode a = f.path("webhook_attempts").get(i);
      assertEquals(i + 1, a.path("number").asInt());
      assertEquals(500, a.path("status").asInt());
      assertEquals("status", a.path("failure").asText());
    }

    JsonNode x = admin.await("/v1/calls/" + cancelled.call().callId(), 200, WAIT).json();
    assertEquals("cancelled", x.path("outcome").asText(), x.toString());
    assertEquals(487, x.path("final_status").asInt());
    assertEquals("caller", x.path("ended_by").asText());
    // The attempt the hang-up aborted is recorded too.
    assertEquals(1, x.path("webhook_attempts").size(), x.toString());
    assertEquals("cancelled", x.path("webhook_attempts").get(0).path("failure").asText(), x.toString());

    JsonNode u = admin.await("/v1/calls/" + unreachable.call().callId(), 200, WAIT).json();
    assertEquals("agent_unreachable", u.path("outcome").asText(), u.toString());
    assertEquals(503, u.path("final_status").asInt());
    assertEquals("dead", u.path("agent").asText());
    assertEquals(0, u.path("webhook_attempts").size());

    JsonNode n = admin.await("/v1/calls/" + noCodec.call().callId(), 200, WAIT).json();
    assertEquals("no_codec", n.path("outcome").asText(), n.toString());
    assertEquals(488, n.path("final_status").asInt());
    assertTrue(n.path("ringing").isNull(), "refused before ringing: " + n);

    // Newest first, filtered, paginated.
    JsonNode all = admin.get("/v1/calls?limit=500").json().path("calls");
    List<String> outcomes = new ArrayList<>();
    all.forEach(r -> outcomes.add(r.path("outcome").asText()));
    assertEquals(List.of("no_codec", "agent_unreachable", "cancelled", "webhook_failed", "connected"), outcomes);
    JsonNode page1 = admin.get("/v1/calls?limit=2").json();
    assertEquals(2, page1.path("calls").size());
    JsonNode page2 = admin.get("/v1/calls?limit=2&cursor=" + page1.path("next_cursor").asText()).json();
    assertEquals("cancelled", page2.path("calls").get(0).path("outcome").asText(), page2.toString());
    JsonNode byOutcome = admin.get("/v1/calls?outcome=webhook_failed").json().path("calls");
    assertEquals(1, byOutcome.size());
    assertEquals(FAILING, byOutcome.get(0).path("to_number").asText());
    assertEquals(2, admin.get("/v1/calls?to=%2B" + CONNECTED.substring(1)).json().path("calls").size());
    assertEquals(0, admin.get("/v1/calls?since=" + Instant.now().plusSeconds(60)).json().path("calls").size());
    assertEquals(400, admin.get("/v1/calls?since=yesterday").status());
    assertEquals(400, admin.get("/v1/calls?since=%2B999999999-01-01T00:00:00Z").status());
    assertEquals(404, admin.get("/v1/calls/no-such-call").status());
  }

  @Test
  void anInviteFromOutsideEveryTrunkIsRecordedAsRejectedAcl() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""
        + "trunks:\n"
        + "  - name: carrier\n"
        + "    allow: [198.51.100.0/24]\n"));
    SipTestClient client = resources.add(SipTestClient.builder("acl").start());
    SipTestCall call = client.invite(ring.uri(CONNECTED)).from(FROM).send();
    call.awaitResponse(403, WAIT);
    CallSummary s = ring.awaitCallEnded(WAIT);

    JsonNode r = new AdminClient(ring.httpPort(), Optional.empty())
        .await("/v1/calls/" + s.call().callId(), 200, WAIT).json();
    assertEquals("rejected_acl", r.path("outcome").asText(), r.toString());
    assertEquals(403, r.path("final_status").asInt());
    assertEquals("", r.path("trunk").asText());
    assertEquals(call.callId(), r.path("sip_call_id").asText());
    assertTrue(r.path("end_reason").asText().contains("matches no trunk"), r.toString());
    assertFalse(r.path("ringing").isTextual(), r.toString());
  }

  /** The named times are present, not before {@code floor}, and in this order. */
  static void assertInOrder(JsonNode record, Instant floor, String... fields) {
    Instant last = floor.minusMillis(1);
    for (String f : fields) {
      assertTrue(record.path(f).isTextual(), f + " missing: " + record);
      Instant t = Instant.parse(record.path(f).asText());
      assertFalse(t.isBefore(last), f + " " + t + " is before " + last + ": " + record);
      last = t;
    }
  }
}
