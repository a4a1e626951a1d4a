package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringhook.server.peers.FreePorts;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.server.records.TestDatabases;
import io.ringhook.testing.Await;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.RequestEvent;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster of issue 19 on real processes: Debian's Kamailio running deploy/kamailio/kamailio.cfg
 * in front of two ringhook jars that share one PostgreSQL, every call placed by a SIP client
 * through the proxy. New calls reach both instances and their RTP flows straight to them; a number
 * set through one instance's API steers the other's next call; a call that fails after ringing is
 * not retried elsewhere; an agent's hang-up reaches the caller through the proxy; SIGTERM
 * on one instance while calls are up and new ones keep coming loses none of them (its calls finish,
 * the new ones go to the survivor); the drained instance comes back and takes calls again; every
 * call's record is in the shared store exactly once; after SIGKILL new calls still go through.
 */
@Timeout(180)
class ClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String FROM = "sip:+12345678912@127.0.0.1";
  private static final String NUMBER = "+15550000190";
  private static final String HOOKED = "+15550000191";
  private static final String DEAD_AGENT = "+15550000199";
  private static final String AGENT_HANGS_UP = "+15550000198";
  private static final Pattern CONNECTED = Pattern.compile("(?m)^ringhook_calls_total\\{outcome=\"connected\",?\\} (\\d+)");

  @TempDir
  Path dir;

  private final Resources resources = new Resources();
  private final List<Placed> placed = Collections.synchronizedList(new ArrayList<>());
  private final List<String> failedCallIds = Collections.synchronizedList(new ArrayList<>());
  private final List<String> warmUpCallIds = new ArrayList<>();
  private TestDatabases.Db db;
  private KamailioFront edge;
  private Instance a;
  private Instance b;
  private SipTestClient client;
  private RtpPeer rtp;

  /** One ringhook jar of the cluster. */
  private record Instance(String name, int sip, int http, int rtpMin, RingJar jar, AdminClient admin) {
    boolean owns(InetSocketAddress media) {
      return media.getPort() >= rtpMin && media.getPort() < rtpMin + 100;
    }
  }

  /** A call placed through the proxy and answered: which instance sent the 200 (its Contact) and when the INVITE left. */
  private record Placed(SipTestCall call, int instanceSip, long sentNanos, InetSocketAddress media) {}

  @AfterEach
  void stop() {
    resources.close();
  }

  @Test
  void twoInstancesBehindKamailioShareCallsNumbersAndRecordsAndDrainWithoutLosingACall() throws Exception {
    db = resources.add(TestDatabases.postgres()); // closed last: after the processes that use it
    TestWebhook hook = resources.add(TestWebhook.start(r ->
        TestWebhook.Reply.json(200, "{\"dynamic_variables\":{\"via\":\"cluster\"}}")));
    int rtpBase = 4000 + 400 * ThreadLocalRandom.current().nextInt(0, 5);
    TestAgent agent = resources.add(TestAgent.start());
    String agents = "agents:\n"
        + "  dead: {url: \"ws://127.0.0.1:" + FreePorts.udpAndTcp() + "/agent\", connect_timeout: 1s}\n" // nothing listens
        + "  hangs_up: {url: \"" + agent.url() + "\"}\n"
        + "numbers:\n  \"" + DEAD_AGENT + "\": {agent: dead}\n  \"" + AGENT_HANGS_UP + "\": {agent: hangs_up}\n";
    CompletableFuture<Instance> startingA = CompletableFuture.supplyAsync(() -> instance("a", rtpBase, agents));
    b = instance("b", rtpBase + 200, agents);
    a = startingA.join();
    edge = resources.add(KamailioFront.start(dir, FreePorts.udpAndTcp(), List.of(a.sip(), b.sip()), List.of("127.0.0.1"),
        Map.of("DS_PING_INTERVAL", "1", "DS_PROBING_THRESHOLD", "1", "DS_INACTIVE_THRESHOLD", "1",
            "FR_TIMER", "1000", "CHILDREN", "2")));
    client = resources.add(SipTestClient.builder("carrier").start());
    rtp = resources.add(RtpPeer.open("carrier"));
    warmUp(a);
    warmUp(b);

    newCallsReachBothInstancesAndMediaFlowsStraightToThem();
    sourcesOutsideTheTrunksAreRefusedAtTheEdge();
    numberSetThroughOneInstanceSteersTheOthersCalls(hook);
    callThatFailsAfterRingingIsNotRetriedElsewhere();
    agentsHangUpReachesTheCallerThroughTheProxy(agent);
    sigtermOnOneInstanceLosesNoCall();
    drainedInstanceRestartsAndTakesCallsAgain();
    everyCallIsRecordedOnceInTheSharedStore();
    sigkillLosesOnlyTheKilledInstancesCallsInProgress();
  }

  private void newCallsReachBothInstancesAndMediaFlowsStraightToThem() throws Exception {
    long connectedOnA = connectedCount(a);
    long connectedOnB = connectedCount(b);
    try (RtpPeer media = RtpPeer.open("media")) {
      Placed first = answer(NUMBER, media);
      Instance owner = first.instanceSip() == a.sip() ? a : b;
      assertTrue(owner.owns(first.media()), "the SDP answer names the instance's own RTP port: " + first.media());
      media.sendTone(first.media(), 440, Duration.ofMillis(400));
      media.awaitPackets(5, WAIT);
      InetSocketAddress from = media.lastSource().orElseThrow();
      assertTrue(owner.owns(from), "the echo comes straight from the instance, not through the proxy: " + from);
      hangUp(first);
    }
    for (int i = 0; i < 3; i++) {
      hangUp(answer(NUMBER, rtp));
    }
    long onA = placed.stream().filter(p -> p.instanceSip() == a.sip()).count();
    long onB = placed.stream().filter(p -> p.instanceSip() == b.sip()).count();
    assertEquals(2, onA, "round-robin: " + placed);
    assertEquals(2, onB, "round-robin: " + placed);
    // Each instance counts its own share.
    awaitConnectedCount(a, connectedOnA + 2);
    awaitConnectedCount(b, connectedOnB + 2);
  }

  private void sourcesOutsideTheTrunksAreRefusedAtTheEdge() throws Exception {
    assertEquals("SIP/2.0 403 Forbidden", edge.optionsFrom("127.0.0.2", WAIT));
    assertEquals("SIP/2.0 200 OK", edge.optionsFrom("127.0.0.1", WAIT), "a trunk's keep-alive");
  }

  private void numberSetThroughOneInstanceSteersTheOthersCalls(TestWebhook hook) throws Exception {
    String path = "/v1/numbers/" + HOOKED.replace("+", "%2B");
    assertEquals(200, a.admin().put(path, "{\"inbound_webhook_url\":\"" + hook.url("/inbound") + "\"}").status());
    Await.until(() -> "instance b to see the number set through a: " + b.admin().get(path).body(), WAIT,
        () -> b.admin().get(path).body().contains("\"api\""));
    Placed one = answer(HOOKED, rtp);
    Placed other = answer(HOOKED, rtp);
    assertTrue(one.instanceSip() != other.instanceSip(), "one call on each instance: " + one + ", " + other);
    assertEquals(2, hook.awaitRequests(2, WAIT).size(), "both instances asked the webhook set through a");
    hangUp(one);
    hangUp(other);
  }

  private void callThatFailsAfterRingingIsNotRetriedElsewhere() throws Exception {
    // The number's agent is unreachable: the instance rings, then refuses with 503. The proxy must
    // pass that on rather than ask the other instance (which would ring the caller again), as 500:
    // a proxy does not forward a 503 (RFC 3261 16.7), which would tell the carrier the proxy is down.
    SipTestCall call = client.invite("sip:" + DEAD_AGENT + "@127.0.0.1:" + edge.port()).from(FROM)
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    call.awaitResponse(180, WAIT);
    call.awaitResponse(500, WAIT);
    failedCallIds.add(call.callId());
    assertEquals(Optional.empty(), call.pollResponse(Request.INVITE, 180, Duration.ofMillis(500)),
        "no second ringing from another instance");
  }

  private void agentsHangUpReachesTheCallerThroughTheProxy(TestAgent agent) {
    answer(AGENT_HANGS_UP, rtp);
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    stream.close(1000);
    // The instance's BYE follows the Record-Route set: through the proxy, which takes it from an instance.
    RequestEvent bye = client.awaitRequest(Request.BYE, WAIT);
    assertEquals(edge.port(), ((ViaHeader) bye.getRequest().getHeader(ViaHeader.NAME)).getPort(), bye.getRequest().toString());
    client.respond(bye, 200);
  }

  private void sigtermOnOneInstanceLosesNoCall() throws Exception {
    List<Placed> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(answer(NUMBER, rtp));
    }
    List<Placed> heldOnA = held.stream().filter(p -> p.instanceSip() == a.sip()).toList();
    assertEquals(2, heldOnA.size(), "calls in progress on a: " + held);

    // New calls keep arriving, one every ~150 ms, each held briefly and hung up.
    List<Placed> stream = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> arriving = CompletableFuture.runAsync(() -> {
      try (SipTestClient caller = SipTestClient.builder("stream").start(); RtpPeer media = RtpPeer.open("stream")) {
        for (int i = 0; i < 16; i++) {
          try {
            Placed p = answerVia(caller, NUMBER, media);
            stream.add(p);
            Thread.sleep(150);
            hangUp(p);
          } catch (AssertionError | RuntimeException e) {
            failures.add(e);
          }
        }
      } catch (Exception e) {
        failures.add(e);
      }
    });
    Await.until("3 calls placed", WAIT, () -> stream.size() >= 3);
    a.jar().sigterm();
    a.jar().awaitLog(l -> l.contains("new INVITEs get 503"), WAIT);
    long drainStarted = System.nanoTime();

    // Its calls in progress go on: the process waits for them, and their BYEs still reach it.
    Await.holds("a waits for its calls in progress", Duration.ofSeconds(1), () -> a.jar().process().isAlive());
    for (Placed p : heldOnA) {
      hangUp(p);
    }
    assertTrue(a.jar().awaitExit(Duration.ofSeconds(20)), "a exits once its last call has ended");
    // The proxy took it out: by its 503 to a probe or to an INVITE, or at the latest by its silence.
    assertTrue(edge.log().contains("ringhook instance down"), edge.log());

    arriving.get(60, TimeUnit.SECONDS);
    assertEquals(List.of(), failures, "no call failed while a drained");
    assertEquals(16, stream.size());
    List<Placed> afterDrain = stream.stream().filter(p -> p.sentNanos() > drainStarted).toList();
    assertTrue(afterDrain.size() >= 5, "calls kept arriving during the drain: " + afterDrain.size());
    assertTrue(afterDrain.stream().allMatch(p -> p.instanceSip() == b.sip()), "new calls go to the survivor: " + afterDrain);
    for (Placed p : held) {
      if (p.instanceSip() == b.sip()) {
        hangUp(p);
      }
    }
  }

  private void drainedInstanceRestartsAndTakesCallsAgain() throws Exception {
    a.jar().restart();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      Placed p = answer(NUMBER, rtp);
      hangUp(p);
      if (p.instanceSip() == a.sip()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        fail("the restarted instance took no call; kamailio log:\n" + edge.log());
      }
      Thread.sleep(200);
    }
  }

  private void sigkillLosesOnlyTheKilledInstancesCallsInProgress() throws Exception {
    Placed one = answer(NUMBER, rtp);
    Placed two = answer(NUMBER, rtp);
    assertTrue(one.instanceSip() != two.instanceSip(), "one call on each: " + one + ", " + two);
    Placed onB = one.instanceSip() == b.sip() ? one : two;
    Placed onA = onB == one ? two : one;
    b.jar().sigkill();
    assertTrue(b.jar().awaitExit(WAIT));
    // New calls do not fail: the first one sent to the dead instance fails over after FR_TIMER.
    for (int i = 0; i < 4; i++) {
      Placed p = answer(NUMBER, rtp);
      assertEquals(a.sip(), p.instanceSip(), "new calls go to the survivor");
      hangUp(p);
    }
    // The call the killed instance owned is gone: its BYE times out in the proxy (408).
    onB.call().bye();
    onB.call().awaitResponse(Request.BYE, 408, WAIT);
    hangUp(onA);
  }

  /**
   * One call straight to the instance, whatever its outcome: a cold JVM's first agent WebSocket can
   * take seconds on a busy machine, which is not what this test is about. Its record is allowed for.
   */
  private void warmUp(Instance i) {
    SipTestCall call = client.invite("sip:" + NUMBER + "@127.0.0.1:" + i.sip()).from(FROM)
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    warmUpCallIds.add(call.callId());
    Optional<Response> ok = call.pollResponse(Request.INVITE, 200, Duration.ofSeconds(15));
    if (ok.isPresent()) {
      call.ack();
      call.bye();
      call.awaitResponse(Request.BYE, 200, WAIT);
    }
  }

  private void everyCallIsRecordedOnceInTheSharedStore() throws Exception {
    List<String> answered = placed.stream().map(p -> p.call().callId()).toList();
    // Records are written asynchronously.
    Await.until("a connected record for each of " + answered, WAIT, () -> allConnected(recordsBySipCallId(), answered));
    Map<String, List<String>> records = recordsBySipCallId();
    long failovers = edge.logLines("before ringing: failing over");
    long draining = records.values().stream().flatMap(List::stream).filter("draining"::equals).count();
    for (String id : answered) {
      List<String> rows = records.getOrDefault(id, List.of());
      assertEquals(1, rows.stream().filter("connected"::equals).count(), id + ": " + rows);
      assertTrue(rows.stream().allMatch(o -> o.equals("connected") || o.equals("draining")), id + ": " + rows);
    }
    for (String id : failedCallIds) {
      assertEquals(List.of("agent_unreachable"), records.get(id), id);
    }
    // A draining record is an INVITE the stopping instance refused and the proxy failed over.
    assertEquals(failovers, draining, "draining refusals = failovers in the proxy's log");
    long warmUps = 0;
    for (String id : warmUpCallIds) {
      warmUps += records.getOrDefault(id, List.of()).size();
    }
    assertEquals(answered.size() + failedCallIds.size() + draining + warmUps,
        records.values().stream().mapToLong(List::size).sum(), "no other record: " + records);
  }

  private static boolean allConnected(Map<String, List<String>> records, List<String> sipCallIds) {
    return sipCallIds.stream().allMatch(id -> records.getOrDefault(id, List.of()).contains("connected"));
  }

  /** Every record's outcome in the shared store, by the INVITE's Call-ID. */
  private Map<String, List<String>> recordsBySipCallId() {
    Map<String, List<String>> out = new HashMap<>();
    try (Connection c = db.raw(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT sip_call_id, outcome FROM calls")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    } catch (SQLException e) {
      throw new AssertionError("reading the records: " + e, e);
    }
    return out;
  }

  private Placed answer(String number, RtpPeer media) {
    return answerVia(client, number, media);
  }

  private Placed answerVia(SipTestClient caller, String number, RtpPeer media) {
    long sent = System.nanoTime();
    SipTestCall call = caller.invite("sip:" + number + "@127.0.0.1:" + edge.port()).from(FROM)
        .sdp(Sdp.audio(media.port(), 0, 101)).send();
    Response ok = call.awaitResponse(200, WAIT);
    call.ack();
    int instance = ((SipURI) ((ContactHeader) ok.getHeader(ContactHeader.NAME)).getAddress().getURI()).getPort();
    Placed p = new Placed(call, instance, sent, Sdp.audioAddress(Sdp.body(ok)));
    placed.add(p);
    return p;
  }

  private static void hangUp(Placed p) {
    p.call().bye();
    p.call().awaitResponse(Request.BYE, 200, WAIT);
  }

  private static void awaitConnectedCount(Instance i, long expected) {
    Await.until(() -> "instance " + i.name() + " to count " + expected + " connected calls, not " + connectedCount(i),
        WAIT, () -> connectedCount(i) == expected);
  }

  /** The instance's own count of connected calls, {@code ringhook_calls_total{outcome="connected"}}. */
  private static long connectedCount(Instance i) {
    Matcher m = CONNECTED.matcher(i.admin().get("/metrics").body());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private Instance instance(String name, int rtpMin, String agents) {
    int sip = FreePorts.udpAndTcp();
    int http = FreePorts.udpAndTcp();
    String yaml = ""
        + "sip: {host: 127.0.0.1, port: " + sip + "}\n"
        + "rtp: {host: 127.0.0.1, port_min: " + rtpMin + ", port_max: " + (rtpMin + 99) + ", timeout: 60s}\n"
        + "http: {host: 127.0.0.1, port: " + http + "}\n"
        + "trunks:\n  - name: edge\n    allow: [127.0.0.1/32]\n"
        + "records: {url: \"" + db.url() + "\", user: \"${PG_USER}\", password: \"${PG_PASSWORD}\", numbers_refresh: 200ms}\n"
        + agents
        + "shutdown: {grace: 30s, retry_after: 5s}\n";
    try {
      RingJar jar = resources.add(RingJar.start(dir, name, yaml,
          Map.of("PG_USER", db.user().orElseThrow(), "PG_PASSWORD", db.password().orElseThrow())));
      return new Instance(name, sip, http, rtpMin, jar, new AdminClient(http, Optional.empty()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
