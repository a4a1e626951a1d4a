package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.peers.RawSipSocket;
import io.ringhook.server.peers.Sdp;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.Outcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Transactions are matched on branch and sent-by (RFC 3261 17.2.3, issue 13): a stranger on another
 * address that reuses a ringing call's branch can neither cancel that call nor have its own INVITE
 * swallowed as a retransmission of it. Both peers are raw UDP sockets so the test controls the Via.
 */
@Timeout(30)
class SipTransactionMatchIT {
  private static final Duration WAIT = Duration.ofSeconds(10); // generous: a loaded 2-core CI box
  private static final String NUMBER = "+12345678913";
  private static final String BRANCH = "z9hG4bK-real-call-1";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void aStrangerReusingARingingCallsBranchCannotCancelItNorHideItsOwnInvite() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.hold()));
    RingFixture ring = resources.add(RingFixture.start("numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n"));
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", ring.sipPort());
    RawSipSocket caller = resources.add(RawSipSocket.open());
    RawSipSocket stranger = resources.add(RawSipSocket.open(InetAddress.getByName("127.0.0.2")));
    String callerVia = "127.0.0.1:" + caller.port();
    String strangerVia = "127.0.0.2:" + stranger.port();

    caller.send(invite(ring.sipPort(), callerVia, "real-1@127.0.0.1", "c1"), server);
    List<String> callerSaw = new ArrayList<>();
    await(caller, "SIP/2.0 180 ", callerSaw);
    hook.awaitRequests(1, WAIT);

    // (a) The real call's Call-ID, From tag and branch, but the stranger's own sent-by.
    stranger.send(cancel(ring.sipPort(), strangerVia, "real-1@127.0.0.1", "c1"), server);
    List<String> strangerSaw = new ArrayList<>();
    await(stranger, "SIP/2.0 481 ", strangerSaw);

    // (b) The real call's branch on a new request of the stranger's own: answered, not absorbed.
    stranger.send(invite(ring.sipPort(), strangerVia, "stranger-1@127.0.0.2", "s1"), server);
    String answer = await(stranger, "SIP/2.0 4", strangerSaw);
    assertTrue(answer.contains("Call-ID: stranger-1@127.0.0.2"), answer);
    assertTrue(answer.contains(";branch=" + BRANCH), answer);

    // The real call still rings: no final answer, and its own CANCEL still finds its transaction.
    drain(caller, Duration.ofMillis(500), callerSaw);
    assertTrue(callerSaw.stream().noneMatch(m -> m.matches("(?s)SIP/2\\.0 [2-6]\\d\\d .*")), callerSaw.toString());
    assertEquals(1, hook.requests().size(), "the stranger's INVITE never reached the webhook: " + hook.requests());
    assertEquals(1, ring.server().activeCalls());

    caller.send(cancel(ring.sipPort(), callerVia, "real-1@127.0.0.1", "c1"), server);
    await(caller, "SIP/2.0 487 ", callerSaw);
    assertTrue(callerSaw.stream().anyMatch(m -> m.startsWith("SIP/2.0 200 ") && m.contains("CSeq: 1 CANCEL")),
        callerSaw.toString());
    CallSummary summary = ring.awaitCallEnded(WAIT);
    assertEquals(Outcome.CANCELLED, summary.outcome(), summary.toString());
    assertEquals("real-1@127.0.0.1", summary.call().sipCallId());
    drain(stranger, Duration.ofMillis(300), strangerSaw);
    assertTrue(strangerSaw.stream().noneMatch(m -> m.startsWith("SIP/2.0 18") || m.startsWith("SIP/2.0 2")),
        strangerSaw.toString());
  }

  /** Receives until a message starting with {@code prefix} arrives (returned); every message lands in {@code seen}. */
  private static String await(RawSipSocket socket, String prefix, List<String> seen) {
    long until = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < until) {
      Optional<String> m = socket.receive(Duration.ofMillis(200));
      if (m.isPresent()) {
        seen.add(m.get());
        if (m.get().startsWith(prefix)) {
          return m.get();
        }
      }
    }
    throw new AssertionError("no '" + prefix.trim() + "' within " + WAIT + "; saw " + seen);
  }

  private static void drain(RawSipSocket socket, Duration quiet, List<String> seen) {
    Optional<String> m;
    while ((m = socket.receive(quiet)).isPresent()) {
      seen.add(m.get());
    }
  }

  private static String invite(int serverPort, String sentBy, String callId, String fromTag) {
    return request("INVITE", serverPort, sentBy, callId, fromTag,
        "Contact: <sip:caller@" + sentBy + ">\r\nContent-Type: application/sdp\r\n", Sdp.audio(9, 0));
  }

  private static String cancel(int serverPort, String sentBy, String callId, String fromTag) {
    return request("CANCEL", serverPort, sentBy, callId, fromTag, "", "");
  }

  /** A request on {@link #BRANCH} with {@code sentBy} in its Via; {@code extra} header lines end in CRLF. */
  private static String request(String method, int serverPort, String sentBy, String callId, String fromTag,
                                String extra, String body) {
    String target = "sip:" + NUMBER + "@127.0.0.1:" + serverPort;
    return method + " " + target + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP " + sentBy + ";branch=" + BRANCH + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:+12345678912@127.0.0.1>;tag=" + fromTag + "\r\n"
        + "To: <" + target + ">\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: 1 " + method + "\r\n"
        + extra
        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }
}
