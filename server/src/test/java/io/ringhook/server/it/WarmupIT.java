package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ringhook.server.WarmupReport;
import io.ringhook.server.peers.LogCapture;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.Outcome;
import io.ringhook.testing.Await;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up (issue 14, cold start) on a real server: synthetic calls go through every stage of
 * the call path (SIP, the webhook, the agent's WebSocket, RTP both ways, BYE) before the SIP port opens,
 * and nothing of them is left behind: no record, no metric, no port, no thread; the real port answers
 * real calls afterwards.
 */
class WarmupIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final Resources resources = new Resources();

  @AfterEach
  void close() {
    resources.close();
  }

  @Test
  void syntheticCallsRunTheWholeCallPathAndLeaveNothingBehind() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Set<Path> storesBefore = warmUpStores();
    LogCapture logs = resources.add(LogCapture.of("io.ringhook"));
    RingFixture ring = resources.add(RingFixture.start("startup:\n  warmup: 2s\n"));
    // One line says what ran; none of the synthetic calls' own lines (call ..., RTP port ..., agent ...) shows.
    List<String> startLog = logs.messages();
    assertEquals(1, startLog.stream().filter(m -> m.startsWith("warm-up: ")).count(), String.join("\n", startLog));
    List<String> callPath = logs.events().stream()
        .filter(e -> e.getLoggerName().matches("io\\.ringhook\\.(sip|media|webhook)\\..*"))
        .map(e -> e.getFormattedMessage().replaceFirst(" \\(.*", "")).toList();
    assertEquals(List.of("no trunks configured: accepting calls from loopback and private networks only",
        "SIP listening on 127.0.0.1:" + ring.sipPort()), callPath, "the real server's lines only");
    assertEquals(List.of("WARN no trunks configured: accepting calls from loopback and private networks only"),
        logs.atLeast(Level.WARN));

    WarmupReport w = ring.server().warmup();
    assertTrue(w.problem().isEmpty(), w.toString());
    assertTrue(w.calls() > 0 && w.webhooks() > 0 && w.answered() > 0 && w.echoed() > 0 && w.ended() > 0,
        "every stage ran: " + w);
    assertEquals(w.answered(), w.ended(), "every answered call was hung up: " + w);
    assertTrue(w.recorded() > 0, "records written, to the warm-up's own store: " + w);
    assertEquals(storesBefore, warmUpStores(), "the warm-up's store is deleted");
    assertTrue(w.took().compareTo(Duration.ofSeconds(2)) >= 0, w.toString());

    // Its SIP port is free again, UDP and TCP.
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, w.sipPort()));
         ServerSocket tcp = new ServerSocket(w.sipPort(), 1, loopback)) {
      assertEquals(w.sipPort(), udp.getLocalPort());
    }
    // Its threads are gone: what the server runs now is one SIP stack's worth, and no caller.
    Await.until(() -> "one SIP stack's threads, no warm-up caller: " + started(before), WAIT, () -> {
      Map<String, Long> threads = started(before);
      return threads.getOrDefault("EventScannerThread", 0L) == 1
          && threads.getOrDefault("DefaultSipTimerThread", 0L) == 1
          && threads.getOrDefault("ringhook-timer-", 0L) == 1
          && threads.keySet().stream().filter(n -> n.contains("UDPMessageChannelThread")).count() == 1
          && threads.keySet().stream().noneMatch(n -> n.startsWith("ringhook-warm-up-"));
    });

    // Nothing counted, nothing recorded, nobody told.
    AdminClient admin = new AdminClient(ring.httpPort(), Optional.empty());
    List<String> counted = admin.get("/metrics").body().lines()
        .filter(l -> l.startsWith("ringhook_") && !l.endsWith(" 0.0"))
        .filter(l -> l.contains("_total") || l.contains("_count") || l.contains("_sum") || l.startsWith("ringhook_calls"))
        .toList();
    assertEquals(List.of(), counted, "metrics counted nothing of the warm-up");
    assertEquals(0, admin.get("/v1/calls").json().get("calls").size());
    assertEquals(List.of(), ring.endedCalls());

    // The real port answers, and the one real call is the one record.
    SipTestClient client = resources.add(SipTestClient.builder("after-warm-up").start());
    RtpPeer rtp = resources.add(RtpPeer.open("after-warm-up"));
    assertEquals(Outcome.CONNECTED, ring.answerAndHangUp(client, rtp, "sip:+15550000001@127.0.0.1", "+15550000002", WAIT).outcome());
    Await.until("the call's record", WAIT, () -> admin.get("/v1/calls").json().get("calls").size() == 1);
  }

  /** The warm-up's throw-away records stores in the temporary directory. */
  private static Set<Path> warmUpStores() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith("ringhook-warm-up-")).collect(Collectors.toSet());
    }
  }

  /** The threads started since {@code before}, counted by name with a trailing number taken off. */
  private static Map<String, Long> started(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t))
        .map(t -> t.getName().replaceFirst("[0-9]+$", ""))
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }
}
