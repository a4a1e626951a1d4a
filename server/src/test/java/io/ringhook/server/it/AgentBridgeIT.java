package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.ringhook.server.it.TestAgent.Message;
import io.ringhook.server.peers.AudioAnalysis;
import io.ringhook.server.peers.AudioAnalysis.Segment;
import io.ringhook.server.peers.BaresipEvent;
import io.ringhook.server.peers.BaresipPeer;
import io.ringhook.server.peers.FreePorts;
import io.ringhook.server.peers.G711;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.server.peers.Wav;
import io.ringhook.sip.CallObserver.CallSummary;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sip.RequestEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls bridged to an AI agent over WebSocket end to end (issue 4): baresip or a scripted SIP
 * caller calls the real server, {@link TestAgent} plays the agent, a JDK HTTP server plays the
 * webhook, and the assertions are on what each of them saw and heard.
 */
@Timeout(60)
class AgentBridgeIT {
  private static final Duration WAIT = Duration.ofSeconds(10); // generous: a loaded 2-core CI box
  private static final String CALLER = "+12345678912";
  private static final String NUMBER = "+12345678913";
  private static final int RATE = Wav.RATE_8K;

  private final Resources resources = new Resources();

  @TempDir
  Path tmp;

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void theAgentGetsTheVariablesAndTheCallersToneAndItsOwnToneIsPlayedPacedThenMarked() throws Exception {
    Webhook hook = resources.add(Webhook.start(
        "{\"dynamic_variables\":{\"customer_name\":\"Ada Lovelace\",\"account_id\":42,\"vip\":true}}"));
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url() + "\n"
        + "    agent: tester\n"
        + agents("tester", agent.url(), "5s")));
    Path tone = Wav.writeSine(tmp.resolve("1k.wav"), 1000, Duration.ofSeconds(30));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-main").user(CALLER).audioFile(tone).start());

    caller.dial(ring.uri(NUMBER));
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    Message connected = stream.await("connected", WAIT);
    Message start = stream.await("start", WAIT);
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);
    assertEquals(List.of("connected", "start"), stream.messages().subList(0, 2).stream().map(Message::event).toList(),
        stream.toString());
    assertTrue(stream.requestUri().endsWith("/stream?token=it"), "the URL's path and query are sent: "
        + stream.requestUri());

    // connected, then start with the webhook's variables as strings plus the call's numbers.
    assertEquals("Call", connected.text("/protocol"), connected.toString());
    assertEquals("1.0.0", connected.text("/version"), connected.toString());
    assertTrue(connected.json().path("sequenceNumber").isMissingNode(), connected.toString());
    JsonNode s = start.json().path("start");
    assertEquals("1", start.text("/sequenceNumber"), start.toString());
    String streamSid = start.text("/streamSid");
    assertTrue(streamSid.matches("MZ[0-9a-f]{32}"), start.toString());
    assertEquals(streamSid, start.text("/start/streamSid"));
    assertEquals("[\"inbound\"]", s.path("tracks").toString(), start.toString());
    assertEquals("audio/x-mulaw", start.text("/start/mediaFormat/encoding"));
    assertTrue(s.at("/mediaFormat/sampleRate").isInt() && s.at("/mediaFormat/sampleRate").asInt() == 8000, start.toString());
    assertTrue(s.at("/mediaFormat/channels").isInt() && s.at("/mediaFormat/channels").asInt() == 1, start.toString());
    assertEquals(Map.of("customer_name", "Ada Lovelace", "account_id", "42", "vip", "true",
        "from_number", CALLER, "to_number", NUMBER), strings(s.path("customParameters")), start.toString());

    // The caller's 1 kHz tone arrives as 20 ms μ-law chunks, counted and timestamped.
    List<Message> media = stream.awaitCount("media", 100, WAIT);
    assertCallerAudio(media, 1000);
    if (OwnUdpPorts.supported()) {
      assertEquals(1, rtpPortsBound(ring).size(), "the call's RTP port is bound: " + rtpPortsBound(ring));
    }

    // A mark with nothing queued comes straight back; nonsense from the agent is ignored.
    long emptyAt = System.nanoTime();
    stream.sendMark("nothing-queued");
    long emptyMs = (stream.awaitMark("nothing-queued", WAIT).receivedNanos() - emptyAt) / 1_000_000;
    assertTrue(emptyMs < 1000, "a mark on an empty queue was echoed after " + emptyMs + " ms");
    stream.sendText("this is not JSON");
    stream.sendText("{\"event\":\"media\",\"media\":{\"payload\":\"%%%\"}}");
    stream.sendText("{\"event\":\"dance\"}");

    // The agent answers with 3 s of 440 Hz, all at once, and a mark behind it.
    byte[] answer = mulaw(Wav.sine(RATE, 440, Duration.ofSeconds(3), 0.5));
    long burstStart = System.nanoTime();
    stream.sendMedia(answer, 1234); // odd pieces: ringhook joins them into 160-byte packets
    stream.sendMark("answer-played");
    long burstMs = millisSince(burstStart);
    Message echo = stream.awaitMark("answer-played", Duration.ofSeconds(20));
    long playedMs = (echo.receivedNanos() - burstStart) / 1_000_000;
    assertEquals("answer-played", echo.text("/mark/name"), echo.toString());
    assertEquals(streamSid, echo.text("/streamSid"));
    assertTrue(burstMs < 1500, "the agent's 3 s were sent in " + burstMs + " ms: not faster than real time");
    // The mark comes back once the 150 packets before it have been sent, one per 20 ms slot.
    // (Up to 5 slots a late timer run missed may go out at once: 100 ms.)
    assertTrue(playedMs >= 2850 && playedMs < 3000 + 7000,
        "mark echoed " + playedMs + " ms after the 3 s of audio were queued; expected about 3000");
    flush(stream);
    System.out.printf("AgentBridgeIT pacing: 3 s sent in %d ms, its mark echoed after %d ms; empty-queue mark %d ms%n",
        burstMs, playedMs, emptyMs);

    caller.hangup();
    caller.awaitEvent("CALL_CLOSED", WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("connected", summary.outcome(), summary.toString());
    assertEquals(summary.call().callId(), start.text("/start/callSid"), "callSid is ringhook's call id");
    assertTrue(summary.answered().isPresent() && !start.receivedAt().isAfter(summary.answered().get().plusMillis(5)),
        "start (at " + start.receivedAt() + ") must precede the 200 OK (" + summary.answered() + ")");
    assertEquals(1, hook.requests().size(), hook.requests().toString());
    assertRtpPortReleased(ring);

    // baresip heard the 440 Hz in full: sent in a burst, it would have overflowed baresip's jitter
    // buffer and been cut short. (A CPU stall over 100 ms makes the pacer drop that much audio to
    // stay in real time: the lower bound leaves room for a few.)
    Wav.Audio heard = caller.heard();
    List<Segment> tone440 = AudioAnalysis.toneSegments(heard, 440, AudioAnalysis.PACKET, 0.1);
    long heardMs = AudioAnalysis.toneDuration(heard, 440, 0.1).toMillis();
    String what = "440 Hz in what baresip heard (" + heard + "): " + tone440 + ", " + heardMs + " ms in all";
    assertTrue(heardMs >= 2700 && heardMs <= 3060, what);
    assertEquals(440, AudioAnalysis.dominantFrequency(heard), 10, what);
  }

  @Test
  void clearStopsThePlaybackAtOnceAndEchoesTheMarksItDropped() throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-clear").user(CALLER).start());

    caller.dial(ring.uri(NUMBER));
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);

    // 10 s of 440 Hz with a mark after the first second: its echo says when to barge in.
    byte[] tone = mulaw(Wav.sine(RATE, 440, Duration.ofSeconds(10), 0.5));
    stream.sendMedia(java.util.Arrays.copyOf(tone, RATE), 4000);
    stream.sendMark("one-second");
    stream.sendMedia(java.util.Arrays.copyOfRange(tone, RATE, tone.length), 8000);
    stream.sendMark("ten-seconds");
    stream.sendMark("after-it");
    Message first = stream.await("mark", Duration.ofSeconds(20));
    assertEquals("one-second", first.text("/mark/name"), stream.toString());
    stream.sendClear();
    long clearedAt = System.nanoTime();
    long reactionMs = (clearedAt - first.receivedNanos()) / 1_000_000;

    // The marks behind the dropped audio come back at once, in order, not 9 s later.
    Message second = stream.await("mark", WAIT);
    Message third = stream.await("mark", WAIT);
    assertEquals(List.of("ten-seconds", "after-it"), List.of(second.text("/mark/name"), third.text("/mark/name")),
        stream.toString());
    long marksMs = (third.receivedNanos() - clearedAt) / 1_000_000;
    assertTrue(marksMs < 1000, "cleared marks echoed " + marksMs + " ms after the clear");

    // Audio after a clear plays again: 400 ms of 660 Hz, marked.
    stream.sendMedia(mulaw(Wav.sine(RATE, 660, Duration.ofMillis(400), 0.5)));
    stream.sendMark("after-clear");
    assertEquals("after-clear", stream.await("mark", WAIT).text("/mark/name"), stream.toString());
    flush(stream);
    caller.hangup();
    caller.awaitEvent("CALL_CLOSED", WAIT);
    ring.awaitCallEnded(WAIT);

    Wav.Audio heard = caller.heard();
    List<Segment> s440 = AudioAnalysis.toneSegments(heard, 440, AudioAnalysis.PACKET, 0.1);
    List<Segment> s660 = AudioAnalysis.toneSegments(heard, 660, AudioAnalysis.PACKET, 0.1);
    long ms440 = AudioAnalysis.toneDuration(heard, 440, 0.1).toMillis();
    long ms660 = AudioAnalysis.toneDuration(heard, 660, 0.1).toMillis();
    String what = "baresip heard " + heard + ": 440 Hz " + s440 + ", 660 Hz " + s660 + "; the clear was sent "
        + reactionMs + " ms after the one-second mark came back";
    // One second was played before the mark; after it, only what went out while the mark's echo
    // and the clear crossed (reactionMs plus loopback and event-loop latency), then nothing. A
    // margin of 2 packets plus 100 ms for a loaded machine and 40 ms for the 20 ms analysis windows.
    assertTrue(ms440 >= 800, what); // 1000, less any audio a CPU stall made the pacer drop
    assertTrue(ms440 <= 1000 + reactionMs + 40 + 200 + 40, what);
    assertTrue(ms660 >= 300 && ms660 <= 420, what);
    System.out.printf("AgentBridgeIT clear: 440 Hz heard %d ms (clear sent %d ms after the mark), 660 Hz %d ms%n",
        ms440, reactionMs, ms660);
    assertTrue(!s660.isEmpty() && !s440.isEmpty()
        && s660.get(0).start().compareTo(s440.get(s440.size() - 1).end()) >= 0, what);
  }

  @Test
  void theAgentClosingTheWebSocketHangsUpTheCall() throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-close").user(CALLER).start());

    caller.dial(ring.uri(NUMBER));
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);
    stream.awaitCount("media", 5, WAIT);
    stream.close(1000);

    BaresipEvent closed = caller.awaitEvent("CALL_CLOSED", WAIT);
    assertEquals("Connection reset by peer", closed.param(), "baresip should get a BYE: " + caller.describe());
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("connected", summary.outcome(), summary.toString());
    assertTrue(summary.detail().startsWith("agent hung up") && summary.detail().contains("1000"), summary.toString());
    assertEquals(1000, stream.await(TestAgent.CLOSE_FRAME, WAIT).json().path("status").asInt(),
        "ringhook answers the close frame with the same status: " + stream);
    stream.await(TestAgent.DISCONNECTED, WAIT);
    assertTrue(stream.messages("stop").isEmpty(), "no stop after the agent's own close: " + stream);
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void aPcmaCallerHearsTheGreetingSentAtStartAndItsHangUpSendsStopThenClose() throws Exception {
    // The agent greets the moment start arrives, before ringhook has answered the call.
    byte[] greeting = mulaw(Wav.sine(RATE, 440, Duration.ofSeconds(1), 0.5));
    TestAgent agent = resources.add(TestAgent.start().onStart(s -> {
      s.sendMedia(greeting, 800);
      s.sendMark("greeting");
      flushAsync(s);
    }));
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    Path tone = Wav.writeSine(tmp.resolve("1k.wav"), 1000, Duration.ofSeconds(30));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-pcma").user(CALLER).codecs("PCMA")
        .audioFile(tone).start());

    caller.dial(ring.uri(NUMBER));
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    Message start = stream.await("start", WAIT);
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);
    Message greeted = stream.awaitMark("greeting", WAIT);
    stream.awaitMark("flush", WAIT);
    // A-law from the caller reaches the agent as μ-law.
    assertCallerAudio(stream.awaitCount("media", 50, WAIT), 1000);
    caller.hangup();

    Message stop = stream.await("stop", WAIT);
    Message close = stream.await(TestAgent.CLOSE_FRAME, WAIT);
    stream.await(TestAgent.DISCONNECTED, WAIT);
    assertEquals(start.text("/start/callSid"), stop.text("/stop/callSid"), stop.toString());
    assertEquals(start.text("/streamSid"), stop.text("/streamSid"), stop.toString());
    assertEquals(1000, close.json().path("status").asInt(), close.toString());
    List<String> order = stream.messages().stream().map(Message::event).toList();
    assertEquals(List.of("stop", TestAgent.CLOSE_FRAME, TestAgent.DISCONNECTED),
        order.subList(order.size() - 3, order.size()), "stop is the last message, then the close: " + stream);
    assertConsecutiveSequenceNumbers(stream);

    assertEquals("Connection reset by user", caller.awaitEvent("CALL_CLOSED", WAIT).param(), caller.describe());
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("caller hung up", summary.detail(), summary.toString());
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
    // The greeting waited for the answer and then played in full: its mark came back a second later.
    long afterAnswerMs = Duration.between(summary.answered().orElseThrow(), greeted.receivedAt()).toMillis();
    assertTrue(afterAnswerMs >= 850, "greeting mark echoed " + afterAnswerMs + " ms after the 200 OK");

    // The agent's μ-law reaches the PCMA caller as A-law: a clean 440 Hz for about a second.
    Wav.Audio heard = caller.heard();
    List<Segment> tone440 = AudioAnalysis.toneSegments(heard, 440, AudioAnalysis.PACKET, 0.3);
    String what = "440 Hz in what baresip heard (" + heard + "): " + tone440;
    assertEquals(440, AudioAnalysis.dominantFrequency(heard), 10, what);
    long heardMs = AudioAnalysis.toneDuration(heard, 440, 0.3).toMillis();
    assertTrue(heardMs >= 850 && heardMs <= 1040, what);
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
    assertEquals("agent_unreachable", summary.outcome(), summary.toString());
    assertTrue(summary.detail().contains("agent tester unreachable (agent_refused)"),
        "the reason names the agent and the kind of failure (docs/agent-protocol.md): " + summary);
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void anAgentThatNeverAnswersTheUpgradeGets503AfterTheConnectTimeout() throws Exception {
    TestAgent.Silent silent = resources.add(new TestAgent.Silent());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(silent.url(), "1s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-silent").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:" + CALLER + "@127.0.0.1").send();
    call.awaitResponse(180, WAIT);
    silent.awaitConnection(WAIT);
    Response refused = call.awaitResponse(503, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertTrue(client.responses().stream().noneMatch(AgentBridgeIT::answersInvite), client.describe());
    assertEquals("agent_unreachable", summary.outcome(), summary.toString());
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
  void eachDtmfKeyPressReachesTheAgentOnce() throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-dtmf").user(CALLER).start());

    caller.dial(ring.uri(NUMBER));
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);
    stream.awaitCount("media", 5, WAIT);
    List<String> keys = List.of("1", "5", "#", "9", "*");
    for (String key : keys) {
      // baresip sends an RFC 4733 event per code, its end packet three times.
      caller.command("sndcode", key);
      Message dtmf = stream.await("dtmf", WAIT);
      assertEquals(key, dtmf.text("/dtmf/digit"), stream.toString());
      assertEquals("inbound_track", dtmf.text("/dtmf/track"), dtmf.toString());
    }
    // No duplicate reports from the retransmitted end packets.
    stream.poll("dtmf", Duration.ofMillis(500)).ifPresent(extra -> {
      throw new AssertionError("a key press was reported twice: " + extra + "\n" + stream);
    });
    assertEquals(keys, stream.messages("dtmf").stream().map(m -> m.text("/dtmf/digit")).toList());
    caller.hangup();
    stream.await("stop", WAIT);
    assertConsecutiveSequenceNumbers(stream);
  }

  @Test
  void callerAudioIsReorderedDeduplicatedAndCountedThroughLossWrapsAndAnSsrcChange() throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-rtp-order").start());
    RawRtpSender rtp = resources.add(new RawRtpSender());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:" + CALLER + "@127.0.0.1")
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    InetSocketAddress server = Sdp.audioAddress(Sdp.body(call.awaitResponse(200, WAIT)));
    call.ack();
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);

    // Source A, near both wraps (sequence 65535 and timestamp 2^32): packet 2 late and twice,
    // 5 and 6 lost. Each payload is filled with its packet's index so the agent's copy tells.
    long ssrcA = 0x1111_1111L;
    int seqA = 65_532;
    long tsA = 0xFFFF_FF00L;
    for (int i : new int[] {0, 1, 3, 2, 2, 4, 7, 8, 9}) {
      rtp.send(server, 0, i == 0, (seqA + i) & 0xFFFF, (tsA + 160L * i) & 0xFFFF_FFFFL, ssrcA, filled(i));
      Thread.sleep(20); // a 20 ms sender
    }
    List<Message> fromA = stream.awaitCount("media", 8, WAIT);
    // Source B (the carrier switched media servers): a new SSRC, sequence and timestamp base.
    long ssrcB = 0x2222_2222L;
    long tsB = 0x8000_0000L;
    for (int i = 0; i < 3; i++) {
      rtp.send(server, 0, i == 0, 100 + i, tsB + 160L * i, ssrcB, filled(0x40 + i));
      Thread.sleep(20);
    }
    List<Message> media = stream.awaitCount("media", 11, WAIT);
    call.bye();
    stream.await("stop", WAIT);

    List<Integer> ids = media.stream().map(m -> (int) Base64.getDecoder().decode(m.text("/media/payload"))[0]).toList();
    List<Long> chunks = media.stream().map(m -> Long.parseLong(m.text("/media/chunk"))).toList();
    List<Long> times = media.stream().map(m -> Long.parseLong(m.text("/media/timestamp"))).toList();
    String what = "media ids " + ids + ", chunks " + chunks + ", timestamps " + times;
    assertEquals(List.of(0, 1, 2, 3, 4, 7, 8, 9, 0x40, 0x41, 0x42), ids, "in order, once each: " + what);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 8L, 9L, 10L), chunks.subList(0, 8), "the gap shows in chunk: " + what);
    assertEquals(List.of(0L, 20L, 40L, 60L, 80L, 140L, 160L, 180L), times.subList(0, 8), what);
    assertEquals(List.of(11L, 12L, 13L), chunks.subList(8, 11), what);
    // The new source's timestamps have an unrelated base: the stream's clock must go on from
    // where it was (about 180 + 20 ms plus the wall-clock pause), not jump by the bases' difference.
    long pauseMs = (media.get(8).receivedNanos() - fromA.get(7).receivedNanos()) / 1_000_000;
    assertTrue(times.get(8) > 180 && times.get(8) <= 200 + pauseMs + 1000,
        "timestamp after the SSRC change (pause " + pauseMs + " ms): " + what);
    assertEquals(List.of(times.get(8) + 20, times.get(8) + 40), times.subList(9, 11), what);
  }

  @Test
  void aCancelWhileTheAgentIsConnectingGets487AndDropsTheConnectionAtOnce() throws Exception {
    TestAgent.Silent silent = resources.add(new TestAgent.Silent());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(silent.url(), "10s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-cancel").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:" + CALLER + "@127.0.0.1").send();
    call.awaitResponse(180, WAIT);
    silent.awaitConnection(WAIT);
    call.cancel();
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    call.awaitResponse(487, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("cancelled", summary.outcome(), summary.toString());
    // Abandoned now, not when the 10 s connect timeout runs out.
    assertTrue(silent.closedByPeer(silent.connections().get(0), Duration.ofSeconds(5)),
        "ringhook kept connecting to the agent after the caller cancelled");
    assertTrue(client.responses().stream().noneMatch(AgentBridgeIT::answersInvite), client.describe());
    assertEquals(0, ring.server().activeCalls());
    assertRtpPortReleased(ring);
  }

  @Test
  void aServerShutdownHangsUpTheCallerAndStopsTheStream() throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-shutdown").user(CALLER).start());

    caller.dial(ring.uri(NUMBER));
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);
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
  void aWithheldCallerIsAnonymousAndTheCallsNumbersWinOverVariablesOfTheSameName() throws Exception {
    Webhook hook = resources.add(Webhook.start("{\"dynamic_variables\":{\"from_number\":\"+19999999999\","
        + "\"address\":{\"city\":\"Paris\"},\"gone\":null,\"tags\":[\"a\",1]}}"));
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(""
        + "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url() + "\n"
        + "    agent: tester\n"
        + agents("tester", agent.url(), "5s")));
    SipTestClient client = resources.add(SipTestClient.builder("agent-anon").start());
    RtpPeer rtp = resources.add(RtpPeer.open("agent-anon"));

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("\"Anonymous\" <sip:anonymous@anonymous.invalid>")
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    call.awaitResponse(200, WAIT);
    call.ack();
    Message start = agent.awaitStream(WAIT).await("start", WAIT);
    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    ring.awaitCallEnded(WAIT);

    JsonNode params = start.json().at("/start/customParameters");
    assertEquals(Map.of("from_number", "anonymous", "to_number", NUMBER, "address", "{\"city\":\"Paris\"}",
        "tags", "[\"a\",1]"), strings(params), start.toString());
    List<String> keys = new ArrayList<>();
    params.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("from_number", "to_number"), keys.subList(0, 2), "the call's numbers come first: " + params);
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
  @Disabled("media-bridge bug: a single frame over maxFramePayloadLength makes Netty's WebSocket13FrameDecoder "
      + "write its own 1009 close frame from a position in the pipeline before the ws-encoder, so the write fails "
      + "and the TCP connection is just dropped (call record: 'connection to the agent dropped'); see the report")
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
  void aNumberWithoutAgentUsesTheDemoAgentAndTheCallerHearsItself() throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    Path tone = Wav.writeSine(tmp.resolve("1k.wav"), 1000, Duration.ofSeconds(3));
    BaresipPeer caller = resources.add(BaresipPeer.builder("agent-demo").user(CALLER).audioFile(tone).start());

    caller.dial(ring.uri("+15550002"));
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);
    assertEquals("end of file", caller.awaitEvent("CALL_CLOSED", WAIT).param(), caller.describe());
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("connected", summary.outcome(), summary.toString());

    Wav.Audio heard = caller.heard();
    Duration echoed = AudioAnalysis.toneDuration(heard, 1000, 0.2);
    String what = "baresip heard " + heard + ": 1 kHz for " + echoed.toMillis() + " ms";
    assertEquals(1000, AudioAnalysis.dominantFrequency(heard), 15, what);
    // 3 s were sent; as in BaresipEchoIT, a third of it proves the echo on a starved CPU.
    assertTrue(echoed.toMillis() >= 1000, what);
    assertEquals(List.of(), agent.streams(), "the number has no agent: the configured one must not be called");
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

  // ---- helpers ----

  /** The {@code agents:} section with one agent. */
  private static String agents(String name, URI url, String connectTimeout) {
    return "agents:\n"
        + "  " + name + ":\n"
        + "    url: " + url + "\n"
        + "    connect_timeout: " + connectTimeout + "\n";
  }

  /** {@link #NUMBER} without a webhook, bridged to agent {@code tester} at {@code url}. */
  private static String agentNumber(URI url, String connectTimeout) {
    return "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    agent: tester\n"
        + "  \"+15550002\": {}\n"
        + agents("tester", url, connectTimeout);
  }

  private static boolean answersInvite(Response r) {
    return r.getStatusCode() / 100 == 2
        && Request.INVITE.equals(((javax.sip.header.CSeqHeader) r.getHeader(javax.sip.header.CSeqHeader.NAME)).getMethod());
  }

  private static java.util.Set<Integer> rtpPortsBound(RingFixture ring) {
    var rtp = ring.server().config().rtp();
    return OwnUdpPorts.boundIn(rtp.portMin(), rtp.portMax());
  }

  /** No RTP port of the server is bound any more (on Linux; checked through /proc). */
  private static void assertRtpPortReleased(RingFixture ring) throws InterruptedException {
    var rtp = ring.server().config().rtp();
    OwnUdpPorts.awaitNoneBound(rtp.portMin(), rtp.portMax(), WAIT, "after the call ended");
  }

  /** Checks the caller's media messages: consecutive chunks 20 ms apart, 160 bytes each, carrying {@code hz}. */
  private static void assertCallerAudio(List<Message> media, double hz) {
    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    long firstChunk = Long.parseLong(media.get(0).text("/media/chunk"));
    long firstTs = Long.parseLong(media.get(0).text("/media/timestamp"));
    assertEquals(1, firstChunk, "the first chunk is 1: " + media.get(0));
    for (int i = 0; i < media.size(); i++) {
      Message m = media.get(i);
      assertEquals("inbound", m.text("/media/track"), m.toString());
      long chunk = Long.parseLong(m.text("/media/chunk"));
      long ts = Long.parseLong(m.text("/media/timestamp"));
      assertEquals(firstChunk + i, chunk, "chunks count up one by one: " + media.subList(Math.max(0, i - 2), i + 1));
      assertEquals(firstTs + 20L * i, ts, "timestamps 20 ms apart: " + media.subList(Math.max(0, i - 2), i + 1));
      byte[] payload = Base64.getDecoder().decode(m.text("/media/payload"));
      assertEquals(160, payload.length, m.toString());
      for (byte b : payload) {
        short v = G711.ulawToLinear(b);
        pcm.write(v & 0xFF);
        pcm.write(v >> 8);
      }
    }
    byte[] raw = pcm.toByteArray();
    short[] samples = new short[raw.length / 2];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) ((raw[2 * i] & 0xFF) | (raw[2 * i + 1] << 8));
    }
    Wav.Audio audio = new Wav.Audio(RATE, samples);
    double rms = AudioAnalysis.rms(audio);
    assertEquals(hz, AudioAnalysis.dominantFrequency(audio), 15, "the caller's tone in media (rms " + rms + ")");
    // baresip plays a sine of peak 0.5: RMS 0.354 (A-law misread as μ-law would be far off).
    assertEquals(0.354, rms, 0.03, "the caller's tone level");
  }

  /** Every message ringhook sent after {@code connected} carries sequenceNumber 1, 2, 3, ... in order. */
  private static void assertConsecutiveSequenceNumbers(TestAgent.Stream stream) {
    List<Long> seqs = new ArrayList<>();
    for (Message m : stream.messages()) {
      if (!m.event().startsWith("#") && !m.event().equals("connected")) {
        seqs.add(Long.parseLong(m.text("/sequenceNumber")));
      }
    }
    for (int i = 0; i < seqs.size(); i++) {
      if (seqs.get(i) != i + 1) {
        throw new AssertionError("sequenceNumber " + seqs.get(i) + " at position " + (i + 1) + ": " + stream);
      }
    }
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new TreeMap<>();
    object.fields().forEachRemaining(e -> {
      assertTrue(e.getValue().isTextual(), "customParameters are strings: " + object);
      out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }

  /**
   * Sends 300 ms of silence and a mark named {@code flush} and waits for its echo: the audio
   * before it has then also passed through baresip's jitter buffer into its recording.
   */
  private static void flush(TestAgent.Stream stream) {
    flushAsync(stream);
    stream.awaitMark("flush", WAIT);
  }

  private static void flushAsync(TestAgent.Stream stream) {
    byte[] silence = new byte[RATE * 300 / 1000];
    java.util.Arrays.fill(silence, (byte) 0xFF); // μ-law zero
    stream.sendMedia(silence);
    stream.sendMark("flush");
  }

  private static byte[] filled(int value) {
    byte[] b = new byte[160];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  private static byte[] mulaw(short[] pcm) {
    return G711.encodeUlaw(pcm, 0, pcm.length);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** The inbound call webhook: a JDK HTTP server answering every POST with 200 and {@code body}. */
  static final class Webhook implements AutoCloseable {
    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private Webhook(HttpServer server) {
      this.server = server;
    }

    static Webhook start(String body) throws java.io.IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      Webhook hook = new Webhook(server);
      server.createContext("/inbound", exchange -> {
        try (exchange) {
          hook.requests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, b.length);
          exchange.getResponseBody().write(b);
        }
      });
      server.start();
      return hook;
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/inbound";
    }

    List<String> requests() {
      return List.copyOf(requests);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
