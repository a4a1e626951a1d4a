package io.ringhook.server.it;

import static io.ringhook.server.it.AgentCalls.CALLER;
import static io.ringhook.server.it.AgentCalls.NUMBER;
import static io.ringhook.server.it.AgentCalls.WAIT;
import static io.ringhook.server.it.AgentCalls.assertRtpPortReleased;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import io.ringhook.testing.Await;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.RequestEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built-in {@code echo} agent end to end (issue 16): a scripted JAIN-SIP caller sends RTP to a
 * number whose agent is {@code echo}, a real local webhook is asked first, and a real WebSocket
 * agent is configured as the default so that a call routed wrongly would reach it. The assertions
 * are on the bytes the caller got back, on what the agent and the webhook saw, and on the record.
 */
@Timeout(60)
class EchoAgentIT {
  private static final String FROM = "sip:" + CALLER + "@127.0.0.1";
  private static final int PACKETS = 50;
  private static final Pattern RTP_IN = Pattern.compile("(?m)^ringhook_rtp_packets_total\\{direction=\"in\"} (\\S+)$");

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void theCallerGetsItsOwnRtpBackWithoutAnyAgentAndItsHangUpEndsTheCall() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(200, "{\"dynamic_variables\":{\"first_name\":\"Jim\"}}")));
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"
        + "    agent: echo\n"
        + "agents:\n"
        + "  tester:\n"
        + "    url: " + agent.url() + "\n"
        + "default_agent: tester\n"));
    SipTestClient client = resources.add(SipTestClient.builder("echo-agent").start());
    RtpPeer rtp = resources.add(RtpPeer.open("echo-agent"));

    SipTestCall call = client.invite(ring.uri(NUMBER)).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    Response ok = call.awaitResponse(200, WAIT);
    call.ack();
    InetSocketAddress media = Sdp.audioAddress(Sdp.body(ok));
    List<byte[]> sent = sendNumberedPackets(rtp, media, PACKETS);
    rtp.awaitPackets(PACKETS * 9 / 10, WAIT);
    Thread.sleep(300); // the last ones, if they are still in the pacer's queue
    List<byte[]> echoed = rtp.received().stream().map(RtpPeer.RtpPacket::payload).toList();
    assertEchoed(sent, echoed, rtp);
    assertEquals(media, rtp.lastSource().orElseThrow(), "echoed from the port in the SDP answer");

    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    assertEquals("caller hung up", summary.detail(), summary.toString());
    assertEquals(Optional.of("echo"), summary.agent(), summary.toString());
    assertEquals(Map.of("first_name", "Jim"), summary.variables(), "the webhook was asked and answered first");
    assertEquals(1, hook.requests().size(), hook.requests().toString());
    assertTrue(agent.streams().isEmpty(), "no WebSocket reached the default agent: " + agent);
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);

    AdminClient admin = new AdminClient(ring.httpPort(), Optional.empty());
    JsonNode record = admin.await("/v1/calls/" + summary.call().callId(), 200, WAIT).json();
    assertEquals("echo", record.path("agent").asText(), record.toString());
    assertEquals("connected", record.path("outcome").asText(), record.toString());
    assertEquals("caller", record.path("ended_by").asText(), record.toString());
    // No agent WebSocket was opened, not even to the built-in demo; the RTP was counted as any call's
    // (the totals trail the wire by up to 100 ms).
    Await.until("the echoed packets counted in", WAIT, () -> rtpIn(admin.get("/metrics").body()) >= echoed.size());
    String metrics = admin.get("/metrics").body();
    assertFalse(metrics.contains("ringhook_agent_connect_seconds_count"), metrics);
    assertTrue(metrics.contains("ringhook_calls_total{outcome=\"connected\"} 1.0"), metrics);
  }

  @Test
  void theWebhookMayChooseTheEchoAndAnRtpTimeoutHangsItUp() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(200, "{\"dynamic_variables\":{\"lang\":\"es\"},\"agent\":\"echo\"}")));
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.startWithRtpTimeout("1s", ""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"
        + "    agent: tester\n"
        + "agents:\n"
        + "  tester:\n"
        + "    url: " + agent.url() + "\n"));
    SipTestClient client = resources.add(SipTestClient.builder("echo-timeout").start());
    RtpPeer rtp = resources.add(RtpPeer.open("echo-timeout"));
    client.autoRespond(Request.BYE, 200);

    SipTestCall call = client.invite(ring.uri(NUMBER)).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    Response ok = call.awaitResponse(200, WAIT);
    call.ack();
    List<byte[]> sent = sendNumberedPackets(rtp, Sdp.audioAddress(Sdp.body(ok)), 10);
    rtp.awaitPackets(5, WAIT);
    long stopped = System.nanoTime();

    // The caller falls silent: ringhook hangs up after the RTP timeout, as for a bridged call.
    RequestEvent bye = client.awaitRequest(Request.BYE, WAIT);
    long silentMs = (System.nanoTime() - stopped) / 1_000_000;
    assertTrue(silentMs >= 700, "BYE came " + silentMs + " ms after the RTP stopped; the timeout is 1 s");
    assertTrue(String.valueOf(bye.getRequest().getHeader("Reason")).contains("rtp timeout"), bye.getRequest().toString());
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    assertEquals("rtp timeout", summary.detail(), summary.toString());
    assertEquals(Optional.of("echo"), summary.agent(), summary.toString());
    assertEchoed(sent, rtp.received().stream().map(RtpPeer.RtpPacket::payload).toList(), rtp);
    assertTrue(agent.streams().isEmpty(), "the number's own agent was not connected: " + agent);
    assertRtpPortReleased(ring);

    JsonNode record = new AdminClient(ring.httpPort(), Optional.empty())
        .await("/v1/calls/" + summary.call().callId(), 200, WAIT).json();
    assertEquals("echo", record.path("agent").asText(), record.toString());
    assertEquals("ringhook", record.path("ended_by").asText(), record.toString());
  }

  private static double rtpIn(String metrics) {
    Matcher in = RTP_IN.matcher(metrics);
    return in.find() ? Double.parseDouble(in.group(1)) : 0;
  }

  /** Sends {@code count} PCMU packets 20 ms apart, packet i filled with the byte i + 1; returns the payloads. */
  private static List<byte[]> sendNumberedPackets(RtpPeer rtp, InetSocketAddress to, int count)
      throws InterruptedException {
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] payload = new byte[RtpPeer.SAMPLES_PER_PACKET];
      Arrays.fill(payload, (byte) (i + 1));
      rtp.sendPacket(to, 0, i == 0, payload);
      sent.add(payload);
      Thread.sleep(20);
    }
    return sent;
  }

  /**
   * The caller got its own payloads back, unchanged and in order. A CPU stall of over 100 ms makes
   * the pacer drop that much queued audio to stay in real time, so a few may be missing, no more.
   */
  private static void assertEchoed(List<byte[]> sent, List<byte[]> echoed, RtpPeer rtp) {
    String what = echoed.size() + " of " + sent.size() + " packets echoed to " + rtp;
    assertTrue(echoed.size() >= sent.size() * 9 / 10 && echoed.size() <= sent.size(), what);
    int next = 0;
    for (byte[] payload : echoed) {
      while (next < sent.size() && !Arrays.equals(sent.get(next), payload)) {
        next++;
      }
      assertTrue(next < sent.size(), "an echoed payload that was not sent, or out of order: " + payload[0] + "; " + what);
      assertArrayEquals(sent.get(next), payload);
      next++;
    }
  }
}
