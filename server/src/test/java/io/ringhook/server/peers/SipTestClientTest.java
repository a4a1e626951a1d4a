package io.ringhook.server.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proves the JAIN-SIP harness on its own: one SipTestClient calls another, no ringhook involved. */
@Timeout(20)
class SipTestClientTest {
  private static final Duration WAIT = Duration.ofSeconds(3);

  private SipTestClient alice;
  private SipTestClient bob;

  @BeforeEach
  void start() throws Exception {
    alice = SipTestClient.builder("alice").tcp().start();
    bob = SipTestClient.builder("bob").tcp().start();
  }

  @AfterEach
  void stop() {
    alice.close();
    bob.close();
  }

  @Test
  void inviteRingAnswerAckReinviteAndByeWithAudio() {
    try (RtpPeer aliceRtp = RtpPeer.open("alice"); RtpPeer bobRtp = RtpPeer.open("bob")) {
      SipTestCall call = alice.invite(bob.uri("bob")).from("sip:+12345678912@carrier.example")
          .pai("sip:+12345678912@carrier.example").sdp(Sdp.audio(aliceRtp.port(), 0, 8, 101)).send();

      RequestEvent invite = bob.awaitRequest(Request.INVITE, WAIT);
      assertEquals("<sip:+12345678912@carrier.example>", invite.getRequest().getHeader("P-Asserted-Identity")
          .toString().replaceFirst("^P-Asserted-Identity: ?", "").strip());
      String offer = Sdp.body(invite.getRequest());
      assertEquals(List.of(0, 8, 101), Sdp.audioPayloadTypes(offer));
      bob.respond(invite, 180);
      bob.respond(invite, 200, Sdp.audio(bobRtp.port(), 0, 101));

      Response ringing = call.awaitResponse(180, WAIT);
      Response ok = call.awaitResponse(200, WAIT);
      assertEquals(ringing.getHeader("To").toString(), ok.getHeader("To").toString(), "same To-tag");
      call.ack();
      bob.awaitRequest(Request.ACK, WAIT);

      // Audio both ways, each side sending where the other's SDP says.
      aliceRtp.sendTone(Sdp.audioAddress(Sdp.body(ok)), 1000, Duration.ofMillis(600));
      bobRtp.sendTone(Sdp.audioAddress(offer), 440, Duration.ofMillis(600));
      bobRtp.awaitPackets(30, WAIT);
      aliceRtp.awaitPackets(30, WAIT);
      assertEquals(1000, AudioAnalysis.dominantFrequency(bobRtp.receivedAudio()), 10);
      assertEquals(440, AudioAnalysis.dominantFrequency(aliceRtp.receivedAudio()), 10);
      assertEquals(new InetSocketAddress("127.0.0.1", aliceRtp.port()), bobRtp.lastSource().orElseThrow());

      // Hold: re-INVITE in the dialog, answered and ACKed with the re-INVITE's CSeq.
      call.reinvite(Sdp.audio(aliceRtp.port(), "sendonly", 0));
      RequestEvent reinvite = bob.awaitRequest(Request.INVITE, WAIT);
      assertTrue(Sdp.body(reinvite.getRequest()).contains("a=sendonly"));
      bob.respond(reinvite, 200, Sdp.audio(bobRtp.port(), "recvonly", 0));
      Response ok2 = call.awaitResponse(200, WAIT);
      call.ack();
      Request ack2 = bob.awaitRequest(Request.ACK, WAIT).getRequest();
      assertEquals(cseq(ok2), cseq(ack2));

      call.bye();
      bob.respond(bob.awaitRequest(Request.BYE, WAIT), 200);
      call.awaitResponse(Request.BYE, 200, WAIT);
    }
  }

  @Test
  void byeFromTheOtherSideIsAnsweredAutomatically() throws Exception {
    alice.autoRespond(Request.BYE, 200);
    SipTestCall call = alice.invite(bob.uri("bob")).noSdp().send();
    RequestEvent invite = bob.awaitRequest(Request.INVITE, WAIT);
    assertEquals("", Sdp.body(invite.getRequest()));
    bob.respond(invite, 200, Sdp.audio(4000, 0));
    call.awaitResponse(200, WAIT);
    call.ack(Sdp.audio(4002, 0));
    assertTrue(Sdp.body(bob.awaitRequest(Request.ACK, WAIT).getRequest()).contains("m=audio 4002"));

    // Bob (the callee, as the server is in the real tests) hangs up.
    Dialog d = bob.serverTransaction(invite).getDialog();
    bob.sendInDialog(d, Request.BYE, null);
    alice.awaitRequest(Request.BYE, WAIT);
    bob.awaitResponse(Request.BYE, 200, WAIT);
  }

  @Test
  void cancelWhileRingingGets200And487() {
    SipTestCall call = alice.invite(bob.uri("bob")).send();
    RequestEvent invite = bob.awaitRequest(Request.INVITE, WAIT);
    bob.respond(invite, 180);
    call.awaitResponse(180, WAIT);

    call.cancel();
    bob.respond(bob.awaitRequest(Request.CANCEL, WAIT), 200);
    bob.respond(invite, 487);
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    call.awaitResponse(487, WAIT);
  }

  @Test
  void aRetransmittedInviteReusesTheBranchAndIsAbsorbed() {
    SipTestCall call = alice.invite(bob.uri("bob")).send();
    RequestEvent invite = bob.awaitRequest(Request.INVITE, WAIT);
    bob.respond(invite, 180);
    call.awaitResponse(180, WAIT);

    call.retransmit();
    // Bob's server transaction recognises the branch: no second INVITE, the 180 is repeated.
    call.awaitResponse(180, WAIT);
    assertTrue(bob.pollRequest(Request.INVITE, Duration.ofMillis(300)).isEmpty(), bob.describe());
    bob.respond(invite, 486);
    call.awaitResponse(486, WAIT);
  }

  @Test
  void optionsOverUdpAndTcp() {
    bob.autoRespond(Request.OPTIONS, 200);
    alice.options("sip:" + "127.0.0.1:" + bob.port());
    alice.awaitResponse(Request.OPTIONS, 200, WAIT);
    alice.options("sip:127.0.0.1:" + bob.port() + ";transport=tcp");
    Response overTcp = alice.awaitResponse(Request.OPTIONS, 200, WAIT);
    assertTrue(overTcp.getHeader("Via").toString().toUpperCase().contains("TCP"), overTcp.toString());
    assertEquals(2, bob.requests().size());
  }

  @Test
  void rawDatagramsReachTheStackAndRepliesComeBack() {
    bob.autoRespond(Request.OPTIONS, 200);
    RawSipSocket raw = alice.raw();
    InetSocketAddress bobAddr = new InetSocketAddress("127.0.0.1", bob.port());
    raw.send("this is not SIP\r\n\r\n", bobAddr);
    raw.send("OPTIONS sip:127.0.0.1:" + bob.port() + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + raw.port() + ";branch=z9hG4bK-raw-1\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:raw@127.0.0.1>;tag=r1\r\n"
        + "To: <sip:127.0.0.1:" + bob.port() + ">\r\n"
        + "Call-ID: raw-1@127.0.0.1\r\n"
        + "CSeq: 1 OPTIONS\r\n"
        + "Content-Length: 0\r\n\r\n", bobAddr);
    String reply = raw.receive(WAIT).orElseThrow(() -> new AssertionError("no reply: " + bob.describe()));
    assertTrue(reply.startsWith("SIP/2.0 200"), reply);
    assertEquals(1, bob.requests().size(), "the garbage was dropped");
  }

  private static long cseq(javax.sip.message.Message m) {
    return ((javax.sip.header.CSeqHeader) m.getHeader("CSeq")).getSeqNumber();
  }
}
