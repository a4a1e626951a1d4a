package io.ringhook.server.it;

import static io.ringhook.server.it.AgentCalls.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.it.TestAgent.Message;
import io.ringhook.server.peers.BaresipEvent;
import io.ringhook.server.peers.BaresipPeer;
import io.ringhook.server.peers.FreePorts;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import javax.sip.RequestEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How calls bridged to an AI agent begin and end (issue 4): hang-ups from either side, agents
 * that cannot be reached or never answer (503 before the answer), CANCEL while connecting,
 * shutdown, RTP timeout, oversized messages; and that nothing is left behind (RTP ports, agent
 * connections, active calls).
 */
@Timeout(60)
class AgentLifecycleIT {
  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void theAgentClosingTheWebSocketHangsUpTheCall() throws Exception {
    AgentCall established = AgentCall.established(resources, "agent-close");
    TestAgent agent = established.agent();
    RingFixture ring = established.ring();
    BaresipPeer caller = established.caller();
    TestAgent.Stream stream = established.stream();
    stream.awaitCount("media", 5, WAIT);
    stream.close(1000);

    BaresipEvent closed = caller.awaitEvent("CALL_CLOSED", WAIT);
    assertEquals("Connection reset by peer", closed.param(), "baresip should get a BYE: " + caller.describe());
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    assertTrue(summary.detail().startsWith("agent hung up") && summary.detail().contains("1000"), summary.toString());
    assertEquals(1000, stream.await(TestAgent.CLOSE_FRAME, WAIT).json().path("status").asInt(),
        "ringhook answers the close frame with the same status: " + stream);
    stream.await(TestAgent.DISCONNECTED, WAIT);
    assertTrue(stream.messages("stop").isEmpty(), "no stop after the agent's own close: " + stream);
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void anAgentThatHangsUpBeforeTheAnswerLeavesNoCallBehind() throws Exception {
    TestAgent agent = resources.add(TestAgent.start().onStart(s -> s.close(1000)));
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-early").user(CALLER).start());

    caller.dial(ring.uri(NUMBER));
    BaresipEvent closed = caller.awaitEvent("CALL_CLOSED", WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await(TestAgent.DISCONNECTED, WAIT);
    // start had been sent, so the call may have been answered already: then it gets a BYE at
    // once; else a 503. Either way nothing is left up.
    if (summary.answered().isPresent()) {
      assertEquals("Connection reset by peer", closed.param(), caller.describe());
      assertTrue(summary.detail().startsWith("agent hung up"), summary.toString());
    } else {
      assertEquals(503, closed.statusCode(), caller.describe());
    }
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void anAgentNobodyListensForGets503AndTheCallIsNeverAnswered() throws Exception {
    int closedPort = FreePorts.udpAndTcp(); // below the ephemeral range: nothing will take it meanwhile
    RingFixture ring = resources.add(RingFixture.start(
        agentNumber(URI.create("ws://127.0.0.1:" + closedPort + "/stream"), "3s")));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-refused").user(CALLER).start());

    caller.dial(ring.uri(NUMBER));
    BaresipEvent closed = caller.awaitEvent("CALL_CLOSED", WAIT);
    assertEquals(503, closed.statusCode(), caller.describe());
    assertTrue(caller.events().stream().noneMatch(e -> e.type().equals("CALL_ESTABLISHED")), caller.describe());
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(503, summary.finalStatus(), summary.toString());
    assertTrue(summary.answered().isEmpty(), summary.toString());
    assertEquals(Outcome.AGENT_UNREACHABLE, summary.outcome(), summary.toString());
    assertTrue(summary.detail().contains("agent tester unreachable (agent_refused)"),
        "the reason names the agent and the kind of failure (docs/agent-protocol.md): " + summary);
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void anAgentThatNeverAnswersTheUpgradeGets503AfterTheConnectTimeout() throws Exception {
    SilentAgent silent = resources.add(new SilentAgent());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(silent.url(), "1s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-silent").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:" + CALLER + "@127.0.0.1").send();
    call.awaitResponse(180, WAIT);
    silent.awaitConnection(WAIT);
    Response refused = call.awaitResponse(503, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertTrue(client.responses().stream().noneMatch(AgentCalls::answersInvite), client.describe());
    assertEquals(Outcome.AGENT_UNREACHABLE, summary.outcome(), summary.toString());
    assertTrue(summary.detail().contains("agent tester unreachable (agent_timeout)"), summary.toString());
    assertEquals(503, summary.finalStatus(), refused.toString());
    long waitedMs = Duration.between(summary.decided().orElseThrow(), summary.ended()).toMillis();
    assertTrue(waitedMs >= 950 && waitedMs < 1000 + 5000,
        "503 came " + waitedMs + " ms after the decision; connect_timeout is 1s: " + summary);
    // The half-open connection is not left behind.
    Socket s = silent.connections().get(0);
    assertTrue(silent.closedByPeer(s, WAIT), "ringhook left its connection to the silent agent open");
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void aCancelWhileTheAgentIsConnectingGets487AndDropsTheConnectionAtOnce() throws Exception {
    SilentAgent silent = resources.add(new SilentAgent());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(silent.url(), "10s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-cancel").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:" + CALLER + "@127.0.0.1").send();
    call.awaitResponse(180, WAIT);
    silent.awaitConnection(WAIT);
    call.cancel();
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    call.awaitResponse(487, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CANCELLED, summary.outcome(), summary.toString());
    // Abandoned now, not when the 10 s connect timeout runs out.
    assertTrue(silent.closedByPeer(silent.connections().get(0), Duration.ofSeconds(5)),
        "ringhook kept connecting to the agent after the caller cancelled");
    assertTrue(client.responses().stream().noneMatch(AgentCalls::answersInvite), client.describe());
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void aServerShutdownHangsUpTheCallerAndStopsTheStream() throws Exception {
    AgentCall established = AgentCall.established(resources, "agent-shutdown");
    RingFixture ring = established.ring();
    BaresipPeer caller = established.caller();
    TestAgent.Stream stream = established.stream();
    stream.awaitCount("media", 5, WAIT);
    ring.close();

    assertEquals("Connection reset by peer", caller.awaitEvent("CALL_CLOSED", WAIT).param(), caller.describe());
    stream.await("stop", WAIT);
    assertEquals(1000, stream.await(TestAgent.CLOSE_FRAME, WAIT).json().path("status").asInt(), stream.toString());
    stream.await(TestAgent.DISCONNECTED, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("server stopped", summary.detail(), summary.toString());
    assertRtpPortReleased(ring);
  }

  @Test
  void anAgentMessageOverOneMebibyteInFragmentsEndsTheStreamWith1009AndHangsUp() throws Exception {
    oversizedMessage(4, true);
  }

  @Test
  void anAgentMessageOverOneMebibyteInOneFrameHangsUp() throws Exception {
    oversizedMessage(1, false);
  }

  @Test
  void anAgentMessageOverOneMebibyteInOneFrameEndsTheStreamWith1009() throws Exception {
    oversizedMessage(1, true);
  }

  /**
   * The agent sends a message just over the 1 MiB limit in {@code frames} frames: ringhook hangs
   * up, and (when {@code expect1009}) first closes the WebSocket with 1009 as documented.
   */
  private void oversizedMessage(int frames, boolean expect1009) throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-big").start());
    RtpPeer rtp = resources.add(RtpPeer.open("agent-big"));
    client.autoRespond(Request.BYE, 200);

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:" + CALLER + "@127.0.0.1")
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    call.awaitResponse(200, WAIT);
    call.ack();
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    String big = "{\"event\":\"media\",\"media\":{\"payload\":\"" + "A".repeat(1 << 20) + "\"}}";
    stream.sendFragmented(big, frames);

    RequestEvent bye = client.awaitRequest(Request.BYE, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    stream.await(TestAgent.DISCONNECTED, WAIT);
    assertTrue(summary.detail().startsWith("agent hung up"), summary + "; BYE " + bye.getRequest());
    assertEquals(0, ring.server().activeCalls());
    if (expect1009) {
      List<Message> closes = stream.messages(TestAgent.CLOSE_FRAME);
      assertEquals(1, closes.size(), "one close frame: " + stream);
      assertEquals(1009, closes.get(0).json().path("status").asInt(), stream.toString());
      assertTrue(summary.detail().contains("over 1048576 bytes"), summary.toString());
    }
  }

  @Test
  void anRtpTimeoutHangsUpAndStopsTheStream() throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.startWithRtpTimeout("1s", agentNumber(agent.url(), "5s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-rtp").start());
    RtpPeer rtp = resources.add(RtpPeer.open("agent-rtp"));
    client.autoRespond(Request.BYE, 200);

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:" + CALLER + "@127.0.0.1")
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    call.awaitResponse(200, WAIT);
    call.ack();
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    // The caller sends no RTP at all.
    RequestEvent bye = client.awaitRequest(Request.BYE, WAIT);
    stream.await("stop", WAIT);
    stream.await(TestAgent.CLOSE_FRAME, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("rtp timeout", summary.detail(), summary.toString());
    assertTrue(String.valueOf(bye.getRequest().getHeader("Reason")).contains("rtp timeout"), bye.getRequest().toString());
    assertFalse(stream.messages().stream().anyMatch(m -> m.event().equals("media")), stream.toString());
    assertRtpPortReleased(ring);
  }
}
