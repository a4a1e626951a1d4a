package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.testing.Await;
import java.io.IOException;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.SipStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SIP server against a raw UDP peer writing RFC 3261 messages by hand: what goes over the
 * wire, byte for byte, with a decider and a media bridge of the test's own.
 */
class SipServerTest {
  private DatagramSocket peer;
  /** The source port of every datagram the peer received. */
  private final List<Integer> sourcePorts = new ArrayList<>();
  private SipServer server;
  private final List<MediaParams> started = new CopyOnWriteArrayList<>();
  private final List<String> closed = new CopyOnWriteArrayList<>();
  private final List<CallObserver.CallSummary> ended = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<CallDecision> pendingDecision;
  /** While set, the media bridge holds each call's media opening (an agent slow to connect) in heldMedia. */
  private volatile boolean holdMedia;
  private final List<CompletableFuture<MediaSession>> heldMedia = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    peer.setSoTimeout(5000);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close(Duration.ofMillis(200));
    }
    peer.close();
  }

  private void start(List<SipConfig.Trunk> trunks, CallDecider decider) throws IOException {
    start(trunks, decider, b -> b);
  }

  private void start(List<SipConfig.Trunk> trunks, CallDecider decider, UnaryOperator<SipServer.Builder> more)
      throws IOException {
    // JAIN-SIP needs a real port for UDP and TCP alike: try ports below the ephemeral range
    // (where outgoing connections take theirs) until one is free for both.
    for (int attempt = 1; ; attempt++) {
      int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(10000, 20000);
      try {
        startOn(port, trunks, decider, more);
        return;
      } catch (SipServer.SipStartException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  private void startOn(int port, List<SipConfig.Trunk> trunks, CallDecider decider,
                       UnaryOperator<SipServer.Builder> more) {
    SipConfig config = new SipConfig("127.0.0.1", port, Optional.empty(), trunks, "ringhook/test",
        Duration.ofSeconds(32));
    MediaBridge bridge = (call, decision) -> {
      if (holdMedia) {
        CompletableFuture<MediaSession> opening = new CompletableFuture<>();
        heldMedia.add(opening);
        return opening;
      }
      return CompletableFuture.completedFuture(session());
    };
    server = more.apply(SipServer.builder(config).decider(decider).bridge(bridge).observer(ended::add)).start();
  }

  private MediaSession session() {
    return new MediaSession() {
      @Override
      public int rtpPort() {
        return 40000;
      }

      @Override
      public void start(MediaParams params, MediaListener listener) {
        started.add(params);
      }

      @Override
      public void update(MediaParams params) {
        started.add(params);
      }

      @Override
      public void close(String reason) {
        closed.add(reason);
      }
    };
  }

  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
      + "t=0 0\r\nm=audio 30000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
      + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

  private String invite(String branch, String callId, String body) {
    int port = peer.getLocalPort();
    return "INVITE sip:+12345678913@127.0.0.1:" + server.port() + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=" + branch + ";rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: \"Jim\" <sip:+12345678912@127.0.0.1:" + port + ">;tag=caller1\r\n"
        + "To: <sip:+12345678913@127.0.0.1>\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:jim@127.0.0.1:" + port + ">\r\n"
        + (body.isEmpty() ? "" : "Content-Type: application/sdp\r\n")
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  private String inDialog(String method, String branch, String callId, String toTag, int cseq) {
    int port = peer.getLocalPort();
    return method + " sip:ringhook@127.0.0.1:" + server.port() + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=" + branch + ";rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: \"Jim\" <sip:+12345678912@127.0.0.1:" + port + ">;tag=caller1\r\n"
        + "To: <sip:+12345678913@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: " + cseq + " " + (method.equals("ACK") ? "INVITE" : method) + "\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** Calls +12345678913 as call-N@test, waits for the 200 (connectAll answers) and ACKs it; returns its To-tag. */
  private String answeredCall(String n) throws IOException {
    String callId = "call-" + n + "@test";
    send(invite("z9hG4bKinv" + n, callId, OFFER));
    String tag = toTag(await("SIP/2.0 200"));
    send(inDialog("ACK", "z9hG4bKack" + n, callId, tag, 1));
    return tag;
  }

  private void send(String message) throws IOException {
    byte[] b = message.getBytes(StandardCharsets.UTF_8);
    peer.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", server.port())));
  }

  private String receive() throws IOException {
    byte[] buf = new byte[8192];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    peer.receive(p);
    sourcePorts.add(p.getPort());
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }

  /** Receives until a message with this status line start arrives; returns it. */
  private String await(String start) throws IOException {
    List<String> seen = new ArrayList<>();
    while (true) {
      String m;
      try {
        m = receive();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no '" + start + "' within 5 s; saw " + seen, e);
      }
      seen.add(m.lines().findFirst().orElse(""));
      if (m.startsWith(start)) {
        return m;
      }
    }
  }

  private static String header(String message, String name) {
    Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.*)$").matcher(message);
    return m.find() ? m.group(1).trim() : null;
  }

  private static String toTag(String response) {
    Matcher m = Pattern.compile(";tag=([^;\\s]+)").matcher(header(response, "To"));
    return m.find() ? m.group(1) : null;
  }

  @Test
  void aPortThatCannotBeBoundFailsTheStartAndLeavesNoStackThreadBehind() throws Exception {
    long before = eventScanners();
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      int port = taken.getLocalPort();
      SipServer.SipStartException e = org.junit.jupiter.api.Assertions.assertThrows(SipServer.SipStartException.class,
          () -> startOn(port, List.of(), CallDecider.connectAll(), b -> b));
      assertTrue(e.getMessage().contains("cannot listen for SIP on 127.0.0.1:" + port), e.getMessage());
    }
    // RI 1.3.0-91 starts a non-daemon event scanner with the stack; stopped without a provider, it stayed blocked.
    Await.until("the failed stack's event scanner ends", Duration.ofSeconds(5), () -> eventScanners() <= before);
  }

  private static long eventScanners() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("EventScannerThread")).count();
  }

  @Test
  void optionsGets200WithAllow() throws IOException {
    start(List.of(), CallDecider.connectAll());
    send(inDialog("OPTIONS", "z9hG4bKopt1", "opt-1@test", null, 1));
    String ok = await("SIP/2.0 200");
    assertEquals("INVITE, ACK, CANCEL, BYE, OPTIONS", header(ok, "Allow"));
    assertEquals("ringhook/test", header(ok, "Server"));
    assertNotNull(toTag(ok), "RFC 3261 8.2.6.2: a To-tag on the response to a tagless request");
  }

  @Test
  void inviteRingsThenAnswersWithSdpThenByeEndsIt() throws Exception {
    start(List.of(), CallDecider.connectAll());
    send(invite("z9hG4bKinv1", "call-1@test", OFFER));
    await("SIP/2.0 100");
    String ringing = await("SIP/2.0 180");
    String tag = toTag(ringing);
    assertNotNull(tag, "180 carries a To-tag");
    assertNotNull(header(ringing, "Contact"));
    String ok = await("SIP/2.0 200");
    assertEquals(tag, toTag(ok));
    assertEquals("application/sdp", header(ok, "Content-Type"));
    assertTrue(ok.contains("m=audio 40000 RTP/AVP 8 101"), ok);
    send(inDialog("ACK", "z9hG4bKack1", "call-1@test", tag, 1));
    send(inDialog("BYE", "z9hG4bKbye1", "call-1@test", tag, 2));
    String byeOk = await("SIP/2.0 200");
    assertTrue(header(byeOk, "CSeq").endsWith("BYE"));
    assertEquals(1, started.size());
    assertEquals(8, started.get(0).payloadType());
    assertEquals(101, started.get(0).telephoneEventPt());
    waitFor(() -> !ended.isEmpty());
    assertEquals(Outcome.CONNECTED, ended.get(0).outcome());
    assertEquals(EndedBy.CALLER, ended.get(0).endedBy());
    assertTrue(ended.get(0).ringing().isPresent() && ended.get(0).answered().isPresent());
    assertFalse(ended.get(0).ringing().get().isBefore(ended.get(0).received()));
    assertFalse(ended.get(0).answered().get().isBefore(ended.get(0).ringing().get()));
    assertEquals("+12345678912", ended.get(0).call().fromNumber());
    assertEquals("+12345678913", ended.get(0).call().toNumber());
    assertEquals(0, server.activeCalls());
    // RFC 3581: responses leave from the port the request came to (not from a socket of their own).
    assertEquals(List.of(server.port()), sourcePorts.stream().distinct().toList(), "source ports of 100/180/200/200");
  }

  @Test
  void aClosedServersStackWithItsDialogsIsGarbageAtTheFirstCollection() throws Exception {
    start(List.of(), CallDecider.connectAll());
    String tag = answeredCall("9");
    send(inDialog("BYE", "z9hG4bKbye9", "call-9@test", tag, 2));
    await("SIP/2.0 200");
    waitFor(() -> !ended.isEmpty());
    // The call's dialog and BYE transaction are still in the stack (for 2 and 5 s: SipServer.LINGER_SECONDS,
    // RiStack): only the stack itself becoming garbage lets them go now. JAIN-SIP's SipFactory kept every stack
    // it made, for good.
    ReferenceQueue<Object> reclaimed = new ReferenceQueue<>();
    WeakReference<SipStack> weak = new WeakReference<>(server.stack());
    PhantomReference<SipStack> phantom = new PhantomReference<>(server.stack(), reclaimed);
    server.close(Duration.ofMillis(200));
    server = null;
    Await.until("the closed server's stack is unreachable", Duration.ofSeconds(10), () -> {
      System.gc();
      return weak.get() == null;
    });
    // Reclaimed by the collection that found it unreachable: with the RI's finalizer it would wait for the
    // finalizer thread and one more collection, and this test makes none.
    assertSame(phantom, reclaimed.remove(2000), "the stack reclaimed at the collection that found it unreachable");
  }

  @Test
  void aRetransmittedByeGetsItsSame200ForFiveSecondsAndA481After() throws Exception {
    start(List.of(), CallDecider.connectAll());
    String tag = answeredCall("9");
    String bye = inDialog("BYE", "z9hG4bKbye9", "call-9@test", tag, 2);
    send(bye);
    String ok = await("SIP/2.0 200");
    long completed = System.nanoTime();
    // The caller did not see that 200 and retransmits it T1 later (Timer E): the completed transaction answers
    // again. (Sent at once it can race the RI, which keeps the 200 as bytes only once it has sent it: in between,
    // a retransmission makes the completed transaction resend the response object, which it refuses. Seen once.)
    Thread.sleep(500);
    send(bye);
    String again = await("SIP/2.0 ");
    assertEquals(ok, again);
    // RI's Timer J would keep the transaction 32 s; RiStack keeps it 5 s, and then the dialog is gone too.
    Thread.sleep(Math.max(0, RiStack.COMPLETED_NON_INVITE_MS + 1000 - (System.nanoTime() - completed) / 1_000_000));
    send(bye);
    String late = await("SIP/2.0 ");
    assertTrue(late.startsWith("SIP/2.0 481"), late);
    assertEquals(1, ended.size(), "the call ended once");
  }

  @Test
  void cancelWhileRingingGets200And487AndCancelsTheDecision() throws Exception {
    pendingDecision = new CompletableFuture<>();
    CallDecision.Attempt aborted = new CallDecision.Attempt(1, Instant.now(), Duration.ofMillis(5),
        OptionalInt.empty(), Optional.of("cancelled"), "cancelled");
    start(List.of(), (call, hungUp) -> {
      // As a webhook decider does: the hang-up aborts the request, which is then reported.
      hungUp.thenRun(() -> pendingDecision.complete(new CallDecision.Abandoned(List.of(aborted))));
      return pendingDecision;
    });
    send(invite("z9hG4bKinv2", "call-2@test", OFFER));
    await("SIP/2.0 180");
    String cancel = invite("z9hG4bKinv2", "call-2@test", "").replaceFirst("^INVITE", "CANCEL")
        .replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL");
    send(cancel);
    String first = await("SIP/2.0 ");
    String second = await("SIP/2.0 ");
    List<String> statuses = List.of(first.substring(8, 11) + header(first, "CSeq"),
        second.substring(8, 11) + header(second, "CSeq"));
    assertTrue(statuses.contains("2001 CANCEL"), statuses.toString());
    assertTrue(statuses.contains("4871 INVITE"), statuses.toString());
    waitFor(() -> pendingDecision.isDone());
    waitFor(() -> !ended.isEmpty());
    assertEquals(Outcome.CANCELLED, ended.get(0).outcome());
    assertEquals(List.of(aborted), ended.get(0).attempts(), "the aborted attempt is in the call's summary");
    assertTrue(ended.get(0).decided().isEmpty(), "the caller hung up before any decision");
    assertEquals(EndedBy.CALLER, ended.get(0).endedBy());
    assertEquals(487, ended.get(0).finalStatus());
  }

  @Test
  void refusedDecisionGetsItsStatus() throws Exception {
    start(List.of(), (call, hungUp) -> CompletableFuture.completedFuture(
        CallDecision.refuse(480, "webhook: 4 attempts failed", Outcome.WEBHOOK_FAILED)));
    send(invite("z9hG4bKinv3", "call-3@test", OFFER));
    String r = await("SIP/2.0 480");
    assertNotNull(toTag(r));
  }

  @Test
  void sourceOutsideEveryTrunkGets403() throws Exception {
    start(List.of(new SipConfig.Trunk("carrier", List.of("198.51.100.0/24"), Optional.of("1"))),
        CallDecider.connectAll());
    send(invite("z9hG4bKinv4", "call-4@test", OFFER));
    await("SIP/2.0 403");
    waitFor(() -> !ended.isEmpty());
    CallObserver.CallSummary s = ended.get(0);
    assertEquals(Outcome.REJECTED_ACL, s.outcome());
    assertEquals(403, s.finalStatus());
    assertEquals("", s.call().trunk());
    assertEquals("call-4@test", s.call().sipCallId());
    assertEquals("+12345678913", s.call().toNumber());
    assertTrue(s.ringing().isEmpty(), "a refused INVITE never rang");
    assertTrue(s.detail().contains("127.0.0.1"), s.detail());
  }

  @Test
  void offerWithoutUsableCodecGets488() throws Exception {
    start(List.of(), CallDecider.connectAll());
    String opus = OFFER.replace("m=audio 30000 RTP/AVP 8 0 101", "m=audio 30000 RTP/AVP 111")
        .replace("a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:111 opus/48000/2\r\n");
    send(invite("z9hG4bKinv5", "call-5@test", opus));
    String r = await("SIP/2.0 488");
    assertNotNull(header(r, "Warning"));
    waitFor(() -> !ended.isEmpty());
    assertEquals(Outcome.NO_CODEC, ended.get(0).outcome());
    assertEquals(488, ended.get(0).finalStatus());
    assertEquals(0, server.activeCalls());
  }

  @Test
  void drainRefusesNewInvitesWithRetryAfterWhileTheCallInProgressGoesOn() throws Exception {
    pendingDecision = new CompletableFuture<>();
    start(List.of(), (call, hungUp) -> pendingDecision);
    send(invite("z9hG4bKdr1", "drain-1@test", OFFER));
    String ringing = await("SIP/2.0 180");
    assertEquals(1, server.ringingCalls());
    server.drain(Duration.ofSeconds(120));
    assertTrue(server.draining());
    send(invite("z9hG4bKdr2", "drain-2@test", OFFER).replace("tag=caller1", "tag=caller2"));
    String refused = await("SIP/2.0 503");
    assertEquals("120", header(refused, "Retry-After"));
    assertEquals("drain-2@test", header(refused, "Call-ID"));
    waitFor(() -> !ended.isEmpty());
    assertEquals(Outcome.DRAINING, ended.get(0).outcome());
    // The call that was ringing before the drain is still served to the end.
    assertEquals(1, server.activeCalls());
    pendingDecision.complete(new CallDecision.Connect(Map.of(), "test", Optional.empty(), List.of()));
    String ok = await("SIP/2.0 200");
    assertEquals(toTag(ringing), toTag(ok));
    assertEquals(0, server.ringingCalls());
    send(inDialog("ACK", "z9hG4bKdr3", "drain-1@test", toTag(ok), 1));
    send(inDialog("BYE", "z9hG4bKdr4", "drain-1@test", toTag(ok), 2));
    await("SIP/2.0 200");
    waitFor(() -> server.activeCalls() == 0 && ended.size() == 2);
    assertEquals(Outcome.CONNECTED, ended.get(1).outcome());
  }

  @Test
  void aStageOutsideTheServerThatFallsBehindTurnsNewInvitesAwayUntilItCatchesUp() throws Exception {
    List<String> logged = admissionLog(this::stageBehind);
    assertEquals(1, logged.size());
    assertTrue(logged.get(0).startsWith("overload: refused 1 new INVITEs with 503"), logged.get(0));
  }

  /** Runs {@code scenario} with the admission check's log lines captured rather than printed; returns them. */
  private static List<String> admissionLog(Scenario scenario) throws Exception {
    ch.qos.logback.classic.Logger admissionLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Admission.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    admissionLog.addAppender(logs);
    admissionLog.setAdditive(false);
    try {
      scenario.run();
    } finally {
      admissionLog.detachAppender(logs);
      admissionLog.setAdditive(true);
    }
    return logs.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
  }

  private interface Scenario {
    void run() throws Exception;
  }

  private void stageBehind() throws Exception {
    AtomicLong loopsBehind = new AtomicLong();
    pendingDecision = new CompletableFuture<>();
    start(List.of(), (call, hungUp) -> pendingDecision,
        b -> b.admission(AdmissionSettings.DEFAULTS).alsoBehind(loopsBehind::get));
    send(invite("z9hG4bKlag1", "lag-1@test", OFFER));
    await("SIP/2.0 180");
    // Over the 200 ms of the defaults: the next new INVITE is refused at once, before the decider.
    loopsBehind.set(250);
    send(invite("z9hG4bKlag2", "lag-2@test", OFFER).replace("tag=caller1", "tag=caller2"));
    String refused = await("SIP/2.0 503");
    assertEquals("lag-2@test", header(refused, "Call-ID"));
    assertEquals("5", header(refused, "Retry-After"));
    assertEquals(1, server.overloadRefusals());
    assertEquals(1, server.ringingCalls());
    loopsBehind.set(3);
    send(invite("z9hG4bKlag3", "lag-3@test", OFFER).replace("tag=caller1", "tag=caller3"));
    String ringing = await("SIP/2.0 180");
    assertEquals("lag-3@test", header(ringing, "Call-ID"));
    assertEquals(2, server.ringingCalls());
    assertEquals(1, server.overloadRefusals());
  }

  @Test
  void callsWhoseAgentIsConnectingCountAsSetUpAndCallsWaitingForTheirWebhookDoNot() throws Exception {
    List<String> logged = admissionLog(this::setUpsInFlight);
    assertEquals(1, logged.size());
    assertTrue(logged.get(0).startsWith("overload: refused 1 new INVITEs with 503 in the last "), logged.get(0));
    assertTrue(logged.get(0).endsWith(" ms (2 calls in set-up, 0 set-ups finished in the last second, limit 1000 ms "
        + "of set-up)"), logged.get(0));
  }

  private void setUpsInFlight() throws Exception {
    // Over one call in set-up with none finished, the set-up time has no bound: the next new INVITE is refused.
    AdmissionSettings oneInSetup = new AdmissionSettings(Duration.ZERO, Duration.ofSeconds(5), 0, 1, List.of(),
        Duration.ofSeconds(1), 1);
    pendingDecision = new CompletableFuture<>();
    holdMedia = true;
    start(List.of(), (call, hungUp) -> call.sipCallId().startsWith("hook")
        ? pendingDecision : CompletableFuture.completedFuture(CallDecision.connect(Map.of())),
        b -> b.admission(oneInSetup));
    for (int i = 1; i <= 3; i++) {
      send(invite("z9hG4bKhook" + i, "hook-" + i + "@test", OFFER).replace("tag=caller1", "tag=hook" + i));
      await("SIP/2.0 180");
      waitFor(() -> server.callsInSetup() == 0); // each waits for its webhook: not in set-up
    }
    for (int i = 1; i <= 2; i++) {
      send(invite("z9hG4bKagent" + i, "agent-" + i + "@test", OFFER).replace("tag=caller1", "tag=agent" + i));
      await("SIP/2.0 180");
      int inSetup = i;
      waitFor(() -> server.callsInSetup() == inSetup); // decided at once, its agent connecting
    }
    send(invite("z9hG4bKagent3", "agent-3@test", OFFER).replace("tag=caller1", "tag=agent3"));
    String refused = await("SIP/2.0 503");
    assertEquals("agent-3@test", header(refused, "Call-ID"));
    assertEquals("5", header(refused, "Retry-After"));
    assertEquals(1, server.overloadRefusals());
    assertEquals(5, server.ringingCalls());
    heldMedia.forEach(opening -> opening.complete(session()));
    await("SIP/2.0 200");
    await("SIP/2.0 200");
    waitFor(() -> server.callsInSetup() == 0); // both answered: their set-ups finished
    send(invite("z9hG4bKagent4", "agent-4@test", OFFER).replace("tag=caller1", "tag=agent4"));
    String ringing = await("SIP/2.0 180");
    assertEquals("agent-4@test", header(ringing, "Call-ID"));
    assertEquals(1, server.overloadRefusals());
  }

  @Test
  void unknownMethodGets501AndKnownUnsupportedGets405() throws Exception {
    start(List.of(), CallDecider.connectAll());
    send(inDialog("FOO", "z9hG4bKfoo", "foo@test", null, 1).replace("CSeq: 1 FOO", "CSeq: 1 FOO"));
    await("SIP/2.0 501");
    send(inDialog("REGISTER", "z9hG4bKreg", "reg@test", null, 1));
    String r = await("SIP/2.0 405");
    assertEquals("INVITE, ACK, CANCEL, BYE, OPTIONS", header(r, "Allow"));
  }

  @Test
  void garbageIsDroppedAndTheServerStillAnswers() throws Exception {
    start(List.of(), CallDecider.connectAll());
    send("\u0000\u0001 this is not SIP\r\n\r\n");
    send("INVITE sip:x SIP/2.0\r\nVia: broken\r\n\r\n");
    send(inDialog("OPTIONS", "z9hG4bKopt9", "opt-9@test", null, 1));
    await("SIP/2.0 200");
  }

  @Test
  void callerComesFromPaiUnlessPrivacyIdWithholdsIt() throws Exception {
    start(List.of(), SipServerTest::undecided);
    String anon = "From: \"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=caller1\r\n"
        + "P-Asserted-Identity: <sip:+14155550100@carrier.example;user=phone>\r\n";
    send(invite("z9hG4bKpai1", "pai-1@test", OFFER).replaceFirst("From: [^\r]*\r\n", anon));
    await("SIP/2.0 180");
    send(invite("z9hG4bKpai2", "pai-2@test", OFFER).replaceFirst("From: [^\r]*\r\n", anon + "Privacy: id\r\n"));
    await("SIP/2.0 180");
    server.close(Duration.ofSeconds(2));
    waitFor(() -> ended.size() == 2);
    Map<String, String> fromByCallId = new java.util.HashMap<>();
    ended.forEach(e -> fromByCallId.put(e.call().sipCallId(), e.call().fromNumber()));
    assertEquals("+14155550100", fromByCallId.get("pai-1@test"));
    assertEquals("anonymous", fromByCallId.get("pai-2@test"));
    assertEquals(Outcome.SHUTDOWN, ended.get(0).outcome());
  }

  /** A decider that keeps calls ringing and, as the contract asks, stops when the caller hangs up. */
  private static CompletableFuture<CallDecision> undecided(InboundCall call, CompletionStage<Void> hungUp) {
    CompletableFuture<CallDecision> d = new CompletableFuture<>();
    hungUp.thenRun(() -> d.complete(new CallDecision.Abandoned(List.of())));
    return d;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    Await.until("the awaited call state", Duration.ofSeconds(5), condition);
  }


}
