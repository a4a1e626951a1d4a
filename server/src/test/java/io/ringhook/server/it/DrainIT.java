package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringhook.server.peers.FreePorts;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.server.records.CallQuery;
import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.JdbcRecordStore;
import io.ringhook.server.records.RecordStore;
import io.ringhook.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The graceful drain (issue 5) on the real runnable jar: SIGTERM while a call is in progress.
 * New INVITEs get 503 with Retry-After and {@code /readyz} turns 503, the call in progress goes
 * on until the caller hangs up, the records are flushed, and the process exits. The server logs in
 * JSON, each line one object, a call's lines carrying its call id.
 */
@Timeout(90)
class DrainIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FROM = "sip:+12345678912@127.0.0.1";

  @TempDir
  Path dir;

  private final Resources resources = new Resources();
  private RingJar jar;

  @AfterEach
  void stop() {
    resources.close();
  }

  @Test
  void sigtermRefusesNewCallsLetsTheCallInProgressFinishFlushesRecordsAndExits() throws Exception {
    Server server = startJar("grace: 30s, retry_after: 7s");
    int sip = server.sip();
    int http = server.http();
    Path db = server.db();
    Path log = server.log();
    AdminClient admin = new AdminClient(http, Optional.empty());
    assertEquals(200, admin.get("/readyz").status());

    SipTestClient client = resources.add(SipTestClient.builder("drain").start());
    RtpPeer rtp = resources.add(RtpPeer.open("drain"));
    String target = "sip:+15550000030@127.0.0.1:" + sip;
    SipTestCall inProgress = client.invite(target).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    inProgress.awaitResponse(200, WAIT);
    inProgress.ack();

    jar.sigterm();
    jar.awaitLog(l -> l.contains("new INVITEs get 503"), WAIT); // SipServer's own line: the drain has begun

    SipTestCall refused = client.invite(target).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    Response busy = refused.awaitResponse(503, WAIT);
    assertEquals(7, ((RetryAfterHeader) busy.getHeader(RetryAfterHeader.NAME)).getRetryAfter());
    // An OPTIONS probe gets the INVITE's answer (RFC 3261 11.2): a load balancer takes us out.
    client.options(target);
    Response probe = client.awaitResponse(Request.OPTIONS, 503, WAIT);
    assertEquals(7, ((RetryAfterHeader) probe.getHeader(RetryAfterHeader.NAME)).getRetryAfter());
    AdminClient.Reply notReady = admin.get("/readyz");
    assertEquals(503, notReady.status(), notReady.body());
    assertTrue(notReady.body().contains("draining"), notReady.body());

    // The call in progress is still up: it is the caller who ends it, and then the process exits.
    Await.holds("the process waits for the call in progress", Duration.ofMillis(500), () -> jar.process().isAlive());
    inProgress.bye();
    inProgress.awaitResponse(Request.BYE, 200, WAIT);
    assertTrue(jar.awaitExit(Duration.ofSeconds(20)), "exits once the last call has ended");

    try (RecordStore store = JdbcRecordStore.open("jdbc:sqlite:" + db, Optional.empty(), Optional.empty())) {
      List<CallRecord> records = store.calls(CallQuery.newest()).calls();
      Map<String, CallRecord> byOutcome = records.stream().collect(Collectors.toMap(CallRecord::outcome, r -> r));
      assertEquals(2, records.size(), records.toString());
      assertEquals("caller", byOutcome.get("connected").endedBy(), records.toString());
      assertEquals(inProgress.callId(), byOutcome.get("connected").sipCallId());
      assertEquals(503, byOutcome.get("draining").finalStatus());

      // One JSON object a line; the call's own lines carry its call id.
      String callId = byOutcome.get("connected").callId();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(log)) {
        if (!line.isBlank()) {
          lines.add(JSON.readTree(line));
        }
      }
      assertFalse(lines.isEmpty());
      assertTrue(lines.stream().anyMatch(l -> callId.equals(l.path("call_id").asText())
              && l.path("msg").asText().contains("ended")),
          "a line about the call's end carries its call_id: " + Files.readString(log));
      assertTrue(lines.stream().allMatch(l -> l.path("level").isTextual() && l.path("ts").isTextual()),
          Files.readString(log));
    }
  }

  @Test
  void callsStillUpWhenTheGraceRunsOutGetByeAndAreRecorded() throws Exception {
    Server server = startJar("grace: 1s, retry_after: 5s");
    SipTestClient client = resources.add(SipTestClient.builder("grace").start());
    client.autoRespond(Request.BYE, 200);
    RtpPeer rtp = resources.add(RtpPeer.open("grace"));
    SipTestCall call = client.invite("sip:+15550000031@127.0.0.1:" + server.sip()).from(FROM)
        .sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    call.awaitResponse(200, WAIT);
    call.ack();

    long signalled = System.nanoTime();
    jar.sigterm(); // the caller does not hang up
    client.awaitRequest(Request.BYE, WAIT);
    long byeAfterMs = (System.nanoTime() - signalled) / 1_000_000;
    assertTrue(byeAfterMs >= 900, "BYE only once the 1 s grace is over, came after " + byeAfterMs + " ms");
    assertTrue(jar.awaitExit(Duration.ofSeconds(20)), "exits after ending the call");

    try (RecordStore store = JdbcRecordStore.open("jdbc:sqlite:" + server.db(), Optional.empty(), Optional.empty())) {
      List<CallRecord> records = store.calls(CallQuery.newest()).calls();
      assertEquals(1, records.size(), records.toString());
      CallRecord r = records.get(0);
      assertEquals("connected", r.outcome());
      assertEquals("ringhook", r.endedBy(), r.toString());
      assertTrue(r.endReason().contains("server stopped"), r.toString());
      assertTrue(r.duration().isPresent(), r.toString());
    }
  }

  /** The jar running on free ports with its own SQLite file and JSON logs. */
  private record Server(int sip, int http, Path db, Path log) {}

  private Server startJar(String shutdownYaml) throws IOException, InterruptedException {
    int sip = FreePorts.udpAndTcp();
    int http = FreePorts.udpAndTcp();
    int rtpMin = 9000 + 200 * java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 5);
    Path db = dir.resolve("records.db");
    String yaml = ""
        + "sip: {host: 127.0.0.1, port: " + sip + "}\n"
        + "rtp: {host: 127.0.0.1, port_min: " + rtpMin + ", port_max: " + (rtpMin + 99) + "}\n"
        + "http: {host: 127.0.0.1, port: " + http + "}\n"
        + "records: {url: \"jdbc:sqlite:" + db + "\"}\n"
        + "shutdown: {" + shutdownYaml + "}\n"
        + "logging: {format: json}\n";
    jar = resources.add(RingJar.start(dir, "ringhook", yaml, Map.of()));
    return new Server(sip, http, db, jar.log());
  }
}
