package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.peers.AudioAnalysis;
import io.ringhook.server.peers.RawSipSocket;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import javax.sip.RequestEvent;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exact SIP sequences against the real server (issue 2), driven by a scripted JAIN-SIP caller:
 * CANCEL while ringing, BYE from the server on RTP timeout, re-INVITE hold and resume, a
 * retransmitted INVITE, and an INVITE without SDP. Each test starts the server it needs.
 */
@Timeout(30)
class SipCallFlowIT {
  private static final Duration WAIT = Duration.ofSeconds(10); // generous: a loaded 2-core CI box
  private static final String CALLER = "sip:+12345678912@127.0.0.1";
  private static final String WEBHOOK_NUMBER = "+12345678913";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void cancelWhileRingingGets200And487AndAbortsTheWebhookRequest() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.hold()));
    RingFixture ring = resources.add(RingFixture.start(webhookNumber(hook)));
    SipTestClient client = resources.add(SipTestClient.builder("cancel").start());

    SipTestCall call = client.invite(ring.uri(WEBHOOK_NUMBER)).from(CALLER).send();
    Response ringing = call.awaitResponse(180, WAIT);
    String toTag = ((ToHeader) ringing.getHeader(ToHeader.NAME)).getTag();
    assertNotNull(toTag, "180 must carry a To-tag (early dialog): " + ringing);
    TestWebhook.Received request = hook.awaitRequests(1, WAIT).get(0);

    call.cancel();
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    Response terminated = call.awaitResponse(487, WAIT);
    assertEquals(toTag, ((ToHeader) terminated.getHeader(ToHeader.NAME)).getTag(), "487 in the same early dialog");

    hook.awaitConnectionClosed(request, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CANCELLED, summary.outcome(), summary.toString());
    assertEquals(487, summary.finalStatus());
    assertTrue(summary.answered().isEmpty(), summary.toString());
    // With a 50 ms backoff a retry would come at once: none may follow the CANCEL.
    assertTrue(call.pollResponse(Request.INVITE, 200, Duration.ofMillis(500)).isEmpty(), client.describe());
    assertEquals(1, hook.requests().size(), hook.requests().toString());
    assertEquals(0, ring.server().activeCalls());
  }

  @Test
  void theServerSendsByeWhenTheCallersRtpStops() throws Exception {
    RingFixture ring = resources.add(RingFixture.startWithRtpTimeout("1s", ""));
    SipTestClient client = resources.add(SipTestClient.builder("rtptimeout").start());
    RtpPeer rtp = resources.add(RtpPeer.open("rtptimeout"));
    client.autoRespond(Request.BYE, 200);

    SipTestCall call = client.invite(ring.uri("+15550001")).from(CALLER).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    Response ok = call.awaitResponse(200, WAIT);
    call.ack();
    // Twice the timeout of steady RTP keeps the call up, and it is echoed.
    rtp.sendTone(Sdp.audioAddress(Sdp.body(ok)), 1000, Duration.ofSeconds(2));
    rtp.awaitSent(WAIT);
    assertTrue(client.requests().stream().noneMatch(r -> r.getMethod().equals(Request.BYE)),
        "BYE while RTP flowed: " + client.describe());
    assertFalse(rtp.received().isEmpty(), "no echo while RTP flowed");
    long stopped = System.nanoTime();

    RequestEvent bye = client.awaitRequest(Request.BYE, Duration.ofSeconds(10));
    long silentMs = (System.nanoTime() - stopped) / 1_000_000;
    assertTrue(silentMs >= 700, "BYE came " + silentMs + " ms after the RTP stopped; the timeout is 1 s");
    String reason = String.valueOf(bye.getRequest().getHeader("Reason"));
    assertTrue(reason.contains("rtp timeout"), "Reason of the BYE: " + reason);

    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    assertEquals("rtp timeout", summary.detail(), summary.toString());
    assertEquals(200, summary.finalStatus());
    assertEquals(0, ring.server().activeCalls());
  }

  @Test
  void reInviteHoldAndResumeAreAnsweredWithOurSdp() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""));
    SipTestClient client = resources.add(SipTestClient.builder("reinvite").start());
    RtpPeer rtp = resources.add(RtpPeer.open("reinvite"));

    SipTestCall call = client.invite(ring.uri("+15550001")).from(CALLER).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    String answer = Sdp.body(call.awaitResponse(200, WAIT));
    call.ack();
    InetSocketAddress media = Sdp.audioAddress(answer);
    assertEquals("sendrecv", direction(answer), answer);

    // Hold (RFC 3264 8.4): we offer sendonly, the answer must be recvonly on the same port.
    call.reinvite(Sdp.audio(rtp.port(), "sendonly", 0, 101));
    Response held = call.awaitResponse(200, WAIT);
    call.ack();
    String holdAnswer = Sdp.body(held);
    assertEquals("recvonly", direction(holdAnswer), holdAnswer);
    assertEquals(media, Sdp.audioAddress(holdAnswer), "the RTP address stays");
    assertEquals(List.of(0, 101), Sdp.audioPayloadTypes(holdAnswer), holdAnswer);
    assertTrue(sessionVersion(holdAnswer) > sessionVersion(answer), "o= version must grow when the SDP changes (RFC 3264 8)");
    // On hold we send nothing back (recvonly).
    rtp.sendTone(media, 1000, Duration.ofMillis(400));
    rtp.awaitSent(WAIT);
    assertEquals(0, rtp.received().size(), "RTP received while on hold");

    call.reinvite(Sdp.audio(rtp.port(), "sendrecv", 0, 101));
    Response resumed = call.awaitResponse(200, WAIT);
    call.ack();
    String resumeAnswer = Sdp.body(resumed);
    assertEquals("sendrecv", direction(resumeAnswer), resumeAnswer);
    assertTrue(sessionVersion(resumeAnswer) > sessionVersion(holdAnswer), "o= version must grow again");

    rtp.sendTone(media, 1000, Duration.ofSeconds(1));
    rtp.awaitPackets(25, WAIT);
    rtp.awaitSent(WAIT);
    assertEquals(1000, AudioAnalysis.dominantFrequency(rtp.receivedAudio()), 15, "echo after resume");

    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    assertEquals("caller hung up", summary.detail(), summary.toString());
  }

  @Test
  void aRetransmittedInviteMakesNoSecondCallAndNoSecondWebhookRequest() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.hold()));
    RingFixture ring = resources.add(RingFixture.start(webhookNumber(hook)));
    SipTestClient client = resources.add(SipTestClient.builder("retransmit").start());

    SipTestCall call = client.invite(ring.uri(WEBHOOK_NUMBER)).from(CALLER).send();
    call.awaitResponse(180, WAIT);
    hook.awaitRequests(1, WAIT);

    // The same bytes again (same branch, Call-ID, CSeq), as a carrier retransmits when our 100 got lost.
    byte[] again = call.invite().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    RawSipSocket raw = client.raw();
    raw.send(again, new InetSocketAddress("127.0.0.1", ring.sipPort()));
    raw.send(again, new InetSocketAddress("127.0.0.1", ring.sipPort()));
    // The server transaction absorbs it and repeats its last provisional response (RFC 3261 17.2.1).
    call.awaitResponse(180, WAIT);
    assertEquals(1, hook.requests().size(), "webhook requests after the retransmission");
    assertEquals(1, ring.server().activeCalls());

    hook.reply(0).release(200, "{}");
    call.awaitResponse(200, WAIT);
    call.ack();
    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());

    assertTrue(call.pollResponse(Request.INVITE, 482, Duration.ofMillis(300)).isEmpty(), client.describe());
    assertEquals(1, ring.endedCalls().size(), ring.endedCalls().toString());
    assertEquals(1, hook.requests().size(), hook.requests().toString());
    assertTrue(client.responses().stream().noneMatch(r -> r.getStatusCode() >= 300), client.describe());
  }

  @Test
  void anInviteWithoutSdpGetsOurOfferAndTheAckCarriesTheAnswer() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""));
    SipTestClient client = resources.add(SipTestClient.builder("lateoffer").start());
    RtpPeer rtp = resources.add(RtpPeer.open("lateoffer"));

    SipTestCall call = client.invite(ring.uri("+15550001")).from(CALLER).noSdp().send();
    Response ok = call.awaitResponse(200, WAIT);
    ContentTypeHeader type = (ContentTypeHeader) ok.getHeader(ContentTypeHeader.NAME);
    assertNotNull(type, "the 200 must carry our offer: " + ok);
    assertEquals("application/sdp", type.getContentType() + "/" + type.getContentSubType());
    String offer = Sdp.body(ok);
    assertTrue(Sdp.audioPayloadTypes(offer).containsAll(List.of(0, 8, 101)), offer);
    assertTrue(offer.contains("a=rtpmap:0 PCMU/8000"), offer);
    assertTrue(offer.contains("a=rtpmap:8 PCMA/8000"), offer);
    assertTrue(offer.contains("a=rtpmap:101 telephone-event/8000"), offer);

    call.ack(Sdp.audio(rtp.port(), 0, 101));
    rtp.sendTone(Sdp.audioAddress(offer), 1000, Duration.ofSeconds(1));
    rtp.awaitPackets(25, WAIT);
    rtp.awaitSent(WAIT);
    assertTrue(rtp.received().stream().allMatch(p -> p.payloadType() == 0 || p.payloadType() == 101),
        "only what the answer chose comes back");
    assertEquals(1000, AudioAnalysis.dominantFrequency(rtp.receivedAudio()), 15, "the echo of our tone");

    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CONNECTED, summary.outcome(), summary.toString());
    assertEquals("caller hung up", summary.detail(), summary.toString());
    assertEquals(0, ring.server().activeCalls());
  }

  @Test
  void aCallOverTcpIsAnsweredEchoedAndEndedByTheServersBye() throws Exception {
    RingFixture ring = resources.add(RingFixture.startWithRtpTimeout("1s", ""));
    SipTestClient client = resources.add(SipTestClient.builder("tcp").tcp().start());
    RtpPeer rtp = resources.add(RtpPeer.open("tcp"));
    client.autoRespond(Request.BYE, 200);

    SipTestCall call = client.invite(ring.uri("+15550001") + ";transport=tcp").from(CALLER)
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    Response ok = call.awaitResponse(200, WAIT);
    String contact = String.valueOf(ok.getHeader("Contact"));
    assertTrue(contact.toLowerCase(java.util.Locale.ROOT).contains("transport=tcp"),
        "the Contact of a TCP dialog must say so: " + contact);
    call.ack();
    rtp.sendTone(Sdp.audioAddress(Sdp.body(ok)), 1000, Duration.ofMillis(600));
    rtp.awaitPackets(15, WAIT);

    // The RTP stops: the server's BYE must find its way back over TCP.
    RequestEvent bye = client.awaitRequest(Request.BYE, Duration.ofSeconds(10));
    String via = String.valueOf(bye.getRequest().getHeader("Via"));
    assertTrue(via.toUpperCase(java.util.Locale.ROOT).contains("TCP"), "BYE not over TCP: " + via);
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals("rtp timeout", summary.detail(), summary.toString());
    assertEquals(0, ring.server().activeCalls());
  }

  @Test
  void manyCallsAtOnceAreIndependentEachHearingOnlyItsOwnEcho() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""));
    SipTestClient client = resources.add(SipTestClient.builder("many").start());
    int n = 8;
    List<RtpPeer> peers = new java.util.ArrayList<>();
    List<SipTestCall> calls = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      RtpPeer rtp = resources.add(RtpPeer.open("many" + i));
      peers.add(rtp);
      calls.add(client.invite(ring.uri("+1555000100" + i)).from(CALLER).sdp(Sdp.audio(rtp.port(), 0, 101)).send());
    }
    java.util.Set<InetSocketAddress> mediaAddresses = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      InetSocketAddress media = Sdp.audioAddress(Sdp.body(calls.get(i).awaitResponse(200, WAIT)));
      mediaAddresses.add(media);
      calls.get(i).ack();
      peers.get(i).sendTone(media, toneOf(i), Duration.ofSeconds(1));
    }
    assertEquals(n, mediaAddresses.size(), "one RTP port per call: " + mediaAddresses);
    assertEquals(n, ring.server().activeCalls());
    for (int i = 0; i < n; i++) {
      peers.get(i).awaitSent(WAIT);
      peers.get(i).awaitPackets(25, WAIT);
      assertEquals(toneOf(i), AudioAnalysis.dominantFrequency(peers.get(i).receivedAudio()), 15,
          "call " + i + " must hear its own tone only");
    }
    for (SipTestCall call : calls) {
      call.bye();
      call.awaitResponse(Request.BYE, 200, WAIT);
    }
    for (int i = 0; i < n; i++) {
      CallSummary summary = ring.awaitCallEnded(WAIT);
      assertEquals("caller hung up", summary.detail(), summary.toString());
    }
    assertEquals(0, ring.server().activeCalls());
  }

  @Test
  void stoppingTheServerRefusesRingingCallsWith503AndHangsUpAnsweredOnes() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.hold()));
    RingFixture ring = resources.add(RingFixture.start(webhookNumber(hook)));
    SipTestClient client = resources.add(SipTestClient.builder("shutdown").start());
    RtpPeer rtp = resources.add(RtpPeer.open("shutdown"));
    client.autoRespond(Request.BYE, 200);

    SipTestCall answered = client.invite(ring.uri("+15550001")).from(CALLER).sdp(Sdp.audio(rtp.port(), 0)).send();
    answered.awaitResponse(200, WAIT);
    answered.ack();
    SipTestCall ringing = client.invite(ring.uri(WEBHOOK_NUMBER)).from(CALLER).send();
    ringing.awaitResponse(180, WAIT);
    TestWebhook.Received request = hook.awaitRequests(1, WAIT).get(0);

    ring.close();

    ringing.awaitResponse(503, WAIT);
    RequestEvent bye = client.awaitRequest(Request.BYE, WAIT);
    assertEquals(answered.callId(), ((javax.sip.header.CallIdHeader) bye.getRequest().getHeader("Call-ID")).getCallId());
    hook.awaitConnectionClosed(request, WAIT);
    java.util.Map<String, String> outcomes = new java.util.HashMap<>();
    for (CallSummary s : ring.endedCalls()) {
      outcomes.put(s.call().sipCallId(), s.outcome() + "/" + s.finalStatus());
    }
    assertEquals(java.util.Map.of(answered.callId(), "connected/200", ringing.callId(), "shutdown/503"), outcomes);
    assertEquals(0, ring.server().activeCalls());
  }

  private static int toneOf(int call) {
    return 400 + 150 * call;
  }

  private static String webhookNumber(TestWebhook hook) {
    return "numbers:\n"
        + "  \"" + WEBHOOK_NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"
        + "    webhook_backoff: [50ms]\n";
  }

  /** The direction attribute of the first audio stream (session level as fallback), sendrecv when absent. */
  static String direction(String sdp) {
    String found = "sendrecv";
    for (String line : sdp.split("\r?\n")) {
      String a = line.trim();
      if (a.equals("a=sendrecv") || a.equals("a=sendonly") || a.equals("a=recvonly") || a.equals("a=inactive")) {
        found = a.substring(2);
      }
    }
    return found;
  }

  /** The sess-version of the o= line. */
  static long sessionVersion(String sdp) {
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("o=")) {
        return Long.parseLong(line.substring(2).trim().split("\\s+")[2]);
      }
    }
    throw new AssertionError("no o= line in\n" + sdp);
  }
}
