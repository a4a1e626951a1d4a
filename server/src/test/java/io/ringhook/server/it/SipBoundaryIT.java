package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.peers.LogCapture;
import io.ringhook.server.peers.RawSipSocket;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.Outcome;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.header.AllowHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the server answers before any call exists (issue 2): OPTIONS keep-alives, sources outside
 * every trunk, offers with no usable codec, and hostile datagrams. None of these may reach the
 * call decision (the webhook sees nothing) or leave a call behind.
 */
@Timeout(30)
class SipBoundaryIT {
  private static final Duration WAIT = Duration.ofSeconds(10); // generous: a loaded 2-core CI box
  private static final String NUMBER = "+12345678913";
  private static final String BIG_BUT_VALID = "big-5@127.0.0.1";

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void optionsGets200WithAllow() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""));
    SipTestClient client = resources.add(SipTestClient.builder("options").start());

    client.options("sip:127.0.0.1:" + ring.sipPort());
    Response ok = client.awaitResponse(Request.OPTIONS, 200, WAIT);
    AllowHeader first = (AllowHeader) ok.getHeader(AllowHeader.NAME);
    assertTrue(first != null, "200 to OPTIONS without Allow: " + ok);
    Set<String> allowed = new java.util.HashSet<>();
    for (var it = ok.getHeaders(AllowHeader.NAME); it.hasNext(); ) {
      allowed.add(((AllowHeader) it.next()).getMethod().trim());
    }
    assertTrue(allowed.containsAll(Set.of("INVITE", "ACK", "CANCEL", "BYE", "OPTIONS")), "Allow: " + allowed);

    // Carriers also ping with a number in the Request-URI; that is no call either.
    client.options(ring.uri(NUMBER));
    client.awaitResponse(Request.OPTIONS, 200, WAIT);
    assertEquals(0, ring.server().activeCalls());
    assertTrue(ring.endedCalls().isEmpty(), ring.endedCalls().toString());
  }

  @Test
  void otherMethodsGet405WithAllowOr501() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""));
    SipTestClient client = resources.add(SipTestClient.builder("methods").start());

    // RFC 3261 8.2.1: a method we know but do not serve is 405 with Allow; an unknown one 501.
    client.send(client.request(Request.REGISTER, "sip:127.0.0.1:" + ring.sipPort()));
    Response notAllowed = client.awaitResponse(Request.REGISTER, 405, WAIT);
    assertTrue(notAllowed.getHeader(AllowHeader.NAME) != null, "405 without Allow: " + notAllowed);
    client.send(client.request("FROBNICATE", ring.uri(NUMBER)));
    client.awaitResponse("FROBNICATE", 501, WAIT);
    assertTrue(ring.endedCalls().isEmpty(), ring.endedCalls().toString());
  }

  @Test
  void aSourceOutsideEveryTrunkGets403AndNeverReachesTheWebhook() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(200, "{}")));
    RingFixture ring = resources.add(RingFixture.start(""
        + "trunks:\n"
        + "  - name: carrier-a\n"
        + "    allow: [198.51.100.0/24]\n"
        + webhookNumber(hook)));
    SipTestClient client = resources.add(SipTestClient.builder("outsider").start());

    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:+12345678912@127.0.0.1").send();
    call.awaitResponse(403, WAIT);
    client.options("sip:127.0.0.1:" + ring.sipPort());
    client.awaitResponse(Request.OPTIONS, 403, WAIT);

    assertTrue(client.responses().stream().noneMatch(r -> r.getStatusCode() == 180 || r.getStatusCode() == 200),
        client.describe());
    assertEquals(List.of(), hook.requests());
    assertEquals(0, ring.server().activeCalls());
    // The INVITE is reported once, for its record, as refused at the door (the OPTIONS is not).
    assertEquals(List.of(Outcome.REJECTED_ACL), ring.endedCalls().stream().map(s -> s.outcome()).toList(),
        ring.endedCalls().toString());
    assertTrue(ring.endedCalls().get(0).ringing().isEmpty(), "it never rang: " + ring.endedCalls());
  }

  @Test
  void refusalsOfOutsidersAreOneStatelessDatagramEachAndAFewLogLines() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""
        + "trunks:\n"
        + "  - name: carrier-a\n"
        + "    allow: [198.51.100.0/24]\n"));
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", ring.sipPort());
    RawSipSocket raw = resources.add(RawSipSocket.open());
    LogCapture logs = resources.add(LogCapture.of("io.ringhook"));

    int n = 200;
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      raw.send(invite(raw.port(), ring.sipPort(), "z9hG4bK-out" + i, "out-" + i + "@127.0.0.1"), server);
      raw.receive(Duration.ofMillis(5)).ifPresent(answers::add); // paced like a scanner, not a burst
    }
    // A transaction would retransmit its 403 after 0.5, 1, 2 and 4 s (RFC 3261 17.2.1, Timer G).
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < until) {
      raw.receive(Duration.ofMillis(200)).ifPresent(answers::add);
    }
    int datagrams = answers.size();
    for (String r : answers) {
      assertTrue(r.startsWith("SIP/2.0 403 "), r);
    }
    System.out.println(n + " INVITEs from outside every trunk drew " + datagrams + " datagrams back");
    assertEquals(n, datagrams, "one stateless 403 per INVITE, none retransmitted");
    assertEquals(n, ring.endedCalls().size(), "each INVITE is reported for its record");
    List<String> lines = logs.messages().stream().filter(m -> m.contains("matches no trunk") || m.contains("refused"))
        .toList();
    assertTrue(lines.size() <= 2, "the refusals' log lines are rate-limited: " + lines);
    String metrics = new AdminClient(ring.httpPort(), Optional.empty()).get("/metrics").body();
    assertTrue(metrics.contains("ringhook_sip_outsiders_refused_total " + n + ".0"), metrics);
  }

  @Test
  void anOfferWithNoUsableCodecGets488() throws Exception {
    TestWebhook hook = resources.add(TestWebhook.start(r -> TestWebhook.Reply.json(200, "{}")));
    RingFixture ring = resources.add(RingFixture.start(webhookNumber(hook)));
    SipTestClient client = resources.add(SipTestClient.builder("nocodec").start());

    // G.729 (18) and GSM (3) only: nothing the server speaks.
    SipTestCall call = client.invite(ring.uri(NUMBER)).from("sip:+12345678912@127.0.0.1")
        .sdp(Sdp.audio(4000, 18, 3)).send();
    Response refused = call.awaitResponse(488, WAIT);

    assertTrue(client.responses().stream().noneMatch(r -> r.getStatusCode() == 180 || r.getStatusCode() == 200),
        client.describe());
    assertTrue(refused.getHeader("Warning") != null, "488 should say why in a Warning: " + refused);
    assertEquals(List.of(), hook.requests());
    assertEquals(0, ring.server().activeCalls());
  }

  @Test
  void malformedDatagramsAreAnswered400OrDroppedAndTheServerKeepsServing() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""));
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", ring.sipPort());
    RawSipSocket raw = resources.add(RawSipSocket.open());

    for (byte[] hostile : hostileMessages(raw.port(), ring.sipPort())) {
      raw.send(hostile, server);
    }
    String probeCallId = "probe-" + ThreadLocalRandom.current().nextInt(1_000_000) + "@127.0.0.1";
    raw.send(options(raw.port(), ring.sipPort(), "z9hG4bK-probe", probeCallId), server);

    // Read until the probe's answer, then a little longer for late answers to the garbage.
    List<String> replies = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    boolean probeAnswered = false;
    long quietUntil = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, quietUntil)) {
      Optional<String> reply = raw.receive(Duration.ofMillis(100));
      if (reply.isEmpty()) {
        continue;
      }
      String r = reply.get();
      if (r.contains(probeCallId)) {
        assertTrue(r.startsWith("SIP/2.0 200"), "OPTIONS after the garbage: " + r);
        probeAnswered = true;
        quietUntil = System.nanoTime() + Duration.ofMillis(500).toNanos();
      } else {
        replies.add(r);
      }
    }
    assertTrue(probeAnswered, "no answer to OPTIONS after the garbage; other replies: " + replies);
    System.out.println("replies to the hostile datagrams: "
        + replies.stream().map(r -> r.lines().findFirst().orElse("")).toList());
    int badRequests = 0;
    for (String r : replies) {
      String status = r.lines().findFirst().orElse("");
      if (r.contains("Call-ID: " + BIG_BUT_VALID)) {
        // Well-formed, only big: answering it is as right as refusing it (513) or dropping it.
        assertTrue(status.matches("SIP/2\\.0 (200|400|513) .*"), "the 60 kB OPTIONS got: " + status);
      } else {
        // Issue 13, item 5: a fixed reason phrase, one header block, no body, no parser detail.
        // (The RI's own 400 for a CSeq method that differs from the request's reads "Bad request".)
        assertTrue(status.matches("SIP/2\\.0 400 Bad [Rr]equest"), "a malformed request must get 400 or nothing, got:\n" + r);
        assertEquals(r.length() - 4, r.indexOf("\r\n\r\n"), "one header block, then nothing:\n" + r);
        assertTrue(r.contains("\r\nContent-Length: 0\r\n"), r);
        assertFalse(r.contains("[C@") || r.contains("getNextChar") || r.contains("Exception"), r);
        badRequests++;
      }
    }
    assertTrue(badRequests >= 1, "the INVITE whose Content-Length overruns the datagram gets our 400: " + replies);
    assertEquals(0, ring.server().activeCalls());
    assertTrue(ring.endedCalls().isEmpty(), ring.endedCalls().toString());

    // And a real stack still gets its OPTIONS answered.
    SipTestClient client = resources.add(SipTestClient.builder("afterjunk").start());
    client.options("sip:127.0.0.1:" + ring.sipPort());
    client.awaitResponse(Request.OPTIONS, 200, WAIT);
  }

  @Test
  void protocolAnswersAsRfc3261AndRfc4475Expect() throws Exception {
    RingFixture ring = resources.add(RingFixture.start(""));
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", ring.sipPort());
    RawSipSocket raw = resources.add(RawSipSocket.open());
    int me = raw.port();
    int port = ring.sipPort();
    String target = "sip:+12345678913@127.0.0.1:" + port;

    // RFC 3261 8.2.2.1 / RFC 4475 3.1.2.16: another SIP version gets 505.
    assertEquals("505", answer(raw, server, options("OPTIONS " + target + " SIP/7.0", me, "v1", "")));
    // 8.2.2.1: a Request-URI scheme we do not serve gets 416.
    assertEquals("416", answer(raw, server, options("OPTIONS http://example.com/x SIP/2.0", me, "u1", "")));
    // 8.2.2.3: an OPTIONS that requires an extension we lack gets 420 with Unsupported.
    assertEquals("420", answer(raw, server, options("OPTIONS " + target + " SIP/2.0", me, "r1",
        "Require: foo-bar\r\n")));
    // 20: Call-ID, CSeq and Content-Length are single-valued; two of them make a bad request.
    for (String dup : List.of("Call-ID: second@127.0.0.1\r\n", "CSeq: 2 OPTIONS\r\n", "Content-Length: 0\r\n")) {
      assertEquals("400", answer(raw, server, options("OPTIONS " + target + " SIP/2.0", me, "d" + dup.length(), dup)),
          dup);
    }
    // RFC 2543 style, no z9hG4bK branch at all: answered, not ignored.
    String noBranch = options("OPTIONS " + target + " SIP/2.0", me, "x", "")
        .replace(";branch=z9hG4bK-x", "");
    assertEquals("200", answer(raw, server, noBranch));
  }

  /** Sends {@code request} and returns the status code of the answer (the 100 Trying skipped), or "none". */
  private static String answer(RawSipSocket raw, InetSocketAddress server, String request) {
    raw.send(request, server);
    long until = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < until) {
      Optional<String> r = raw.receive(Duration.ofMillis(200));
      if (r.isPresent() && !r.get().startsWith("SIP/2.0 100 ")) {
        return r.get().substring(8, 11);
      }
    }
    return "none";
  }

  private static String options(String requestLine, int rawPort, String branch, String extra) {
    String id = branch + "-" + ThreadLocalRandom.current().nextInt(1_000_000);
    return requestLine + "\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + rawPort + ";branch=z9hG4bK-" + branch + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:probe@127.0.0.1>;tag=p" + id + "\r\n"
        + "To: <sip:ringhook@127.0.0.1>\r\n"
        + "Call-ID: " + id + "@127.0.0.1\r\n"
        + "CSeq: 1 OPTIONS\r\n"
        + extra
        + "Content-Length: 0\r\n\r\n";
  }

  private static List<byte[]> hostileMessages(int rawPort, int serverPort) {
    List<byte[]> out = new ArrayList<>();
    out.add("this is not SIP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] noise = new byte[700];
    ThreadLocalRandom.current().nextBytes(noise);
    out.add(noise);
    String via = "Via: SIP/2.0/UDP 127.0.0.1:" + rawPort + ";branch=z9hG4bK-bad";
    String target = "sip:+12345678913@127.0.0.1:" + serverPort;
    // No Call-ID.
    out.add(ascii("INVITE " + target + " SIP/2.0\r\n" + via + "1\r\nMax-Forwards: 70\r\n"
        + "From: <sip:a@127.0.0.1>;tag=x1\r\nTo: <" + target + ">\r\nCSeq: 1 INVITE\r\n"
        + "Content-Length: 0\r\n\r\n"));
    // CSeq method differs from the request method.
    out.add(ascii("INVITE " + target + " SIP/2.0\r\n" + via + "2\r\nMax-Forwards: 70\r\n"
        + "From: <sip:a@127.0.0.1>;tag=x2\r\nTo: <" + target + ">\r\nCall-ID: bad-2@127.0.0.1\r\n"
        + "CSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n"));
    // Content-Length far beyond the datagram (a truncated message).
    out.add(ascii("INVITE " + target + " SIP/2.0\r\n" + via + "3\r\nMax-Forwards: 70\r\n"
        + "From: <sip:a@127.0.0.1>;tag=x3\r\nTo: <" + target + ">\r\nCall-ID: bad-3@127.0.0.1\r\n"
        + "CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 5000\r\n\r\nv=0\r\n"));
    // Garbage in the Request-URI and the CSeq number.
    out.add(ascii("INVITE sip:%%%@@@ SIP/2.0\r\n" + via + "4\r\nMax-Forwards: 70\r\n"
        + "From: <sip:a@127.0.0.1>;tag=x4\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: bad-4@127.0.0.1\r\n"
        + "CSeq: abc INVITE\r\nContent-Length: 0\r\n\r\n"));
    // A huge header (about 60 kB in one datagram), otherwise well-formed.
    char[] big = new char[60_000];
    Arrays.fill(big, 'x');
    out.add(ascii("OPTIONS " + target + " SIP/2.0\r\n" + via + "5\r\nMax-Forwards: 70\r\n"
        + "From: <sip:a@127.0.0.1>;tag=x5\r\nTo: <" + target + ">\r\nCall-ID: " + BIG_BUT_VALID + "\r\n"
        + "CSeq: 1 OPTIONS\r\nX-Junk: " + new String(big) + "\r\nContent-Length: 0\r\n\r\n"));
    // A response nobody asked for.
    out.add(ascii("SIP/2.0 200 OK\r\n" + via + "6\r\nFrom: <sip:a@127.0.0.1>;tag=x6\r\n"
        + "To: <sip:b@127.0.0.1>;tag=y6\r\nCall-ID: bad-6@127.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"));
    // Header lines without a colon.
    out.add(ascii("OPTIONS " + target + " SIP/2.0\r\n" + via + "7\r\nthis line has no colon\r\n"
        + "Call-ID: bad-7@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n\r\n"));
    return out;
  }

  private static byte[] options(int rawPort, int serverPort, String branch, String callId) {
    return ascii("OPTIONS sip:127.0.0.1:" + serverPort + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + rawPort + ";branch=" + branch + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:probe@127.0.0.1>;tag=p1\r\n"
        + "To: <sip:127.0.0.1:" + serverPort + ">\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: 1 OPTIONS\r\n"
        + "Content-Length: 0\r\n\r\n");
  }

  private static byte[] invite(int rawPort, int serverPort, String branch, String callId) {
    String target = "sip:+12345678913@127.0.0.1:" + serverPort;
    return ascii("INVITE " + target + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + rawPort + ";branch=" + branch + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:+12345678912@127.0.0.1>;tag=o1\r\n"
        + "To: <" + target + ">\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:caller@127.0.0.1:" + rawPort + ">\r\n"
        + "Content-Length: 0\r\n\r\n");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String webhookNumber(TestWebhook hook) {
    return "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    inbound_webhook_url: " + hook.url("/inbound") + "\n";
  }
}
