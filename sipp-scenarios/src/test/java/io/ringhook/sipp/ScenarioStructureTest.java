package io.ringhook.sipp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringhook.sipp.Scenario.Message;
import io.ringhook.sipp.Scenario.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks every SIPp scenario the way SIPp would read it, since SIPp cannot run in CI: well-formed
 * XML, known elements, the SIP message sequence the issue asks for, and the details that make a
 * scenario fail only on the wire (CANCEL on the INVITE's branch, [len] on bodies, a media port that
 * matches the media action, variables SIPp would reject as unused).
 */
class ScenarioStructureTest {

  static final Path DIR = Path.of("scenarios");
  static final Path BENCH = Path.of("bench");

  /** The load harness's scenarios (bench/*.xml): uac-basic's flow with the number from -inf. */
  static final Map<String, List<String>> EXPECTED_BENCH = Map.of(
      "uac-load", List.of("send INVITE", "recv 100?", "recv 180", "recv 200", "send ACK", "send BYE", "recv 200"),
      "uac-load-media", List.of("send INVITE", "recv 100?", "recv 180", "recv 200", "send ACK", "send BYE",
          "recv 200"),
      "uac-load-refused", List.of("send INVITE", "recv 100?", "recv 180", "recv 480", "send ACK"),
      // A 503 (admission) jumps to the ACK at the end; an admitted call runs the uac-load flow.
      "uac-flood", List.of("send INVITE", "recv 100?", "recv 180?", "recv 503?", "recv 200", "send ACK", "send BYE",
          "recv 200", "send ACK"));

  /** The message sequence of each scenario: "?" marks an optional recv; pauses and nops are left out. */
  static final Map<String, List<String>> EXPECTED = Map.of(
      "uac-basic", List.of("send INVITE", "recv 100?", "recv 180", "recv 200", "send ACK", "send BYE",
          "recv 200"),
      "uac-cancel-while-ringing", List.of("send INVITE", "recv 100?", "recv 180", "send CANCEL", "recv 200",
          "recv 487", "send ACK"),
      "uac-webhook-refused", List.of("send INVITE", "recv 100?", "recv 180", "recv 480", "send ACK"),
      "uac-dtmf", List.of("send INVITE", "recv 100?", "recv 180", "recv 200", "send ACK", "send BYE",
          "recv 200"),
      "uac-agent-hangup", List.of("send INVITE", "recv 100?", "recv 180", "recv 200", "send ACK", "recv BYE",
          "send 200"),
      "options-ping", List.of("send OPTIONS", "recv 200"));

  /** Every scenario file this test checks: those of scenarios/, then those of bench/. */
  static Stream<String> names() {
    return Stream.concat(EXPECTED.keySet().stream().sorted(), EXPECTED_BENCH.keySet().stream().sorted());
  }

  static Scenario scenario(String name) throws IOException {
    Path dir = EXPECTED.containsKey(name) ? DIR : BENCH;
    return Scenario.read(dir.resolve(name + ".xml"));
  }

  static List<String> expected(String name) {
    return EXPECTED.containsKey(name) ? EXPECTED.get(name) : EXPECTED_BENCH.get(name);
  }

  @Test
  void theDirectoriesHoldExactlyTheListedScenarios() throws IOException {
    assertEquals(new TreeSet<>(EXPECTED.keySet()), xmlFiles(DIR), "scenarios/*.xml versus this test's list");
    assertEquals(new TreeSet<>(EXPECTED_BENCH.keySet()), xmlFiles(BENCH), "bench/*.xml versus this test's list");
  }

  static Set<String> xmlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml"))
          .map(n -> n.substring(0, n.length() - 4)).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void isAScenarioOfKnownElements(String name) throws IOException {
    Scenario s = scenario(name);
    assertEquals("scenario", s.root.getTagName(), name + ": root element");
    assertFalse(s.root.getAttribute("name").isBlank(), name + ": <scenario name=...>");
    for (Node n = s.root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        String tag = e.getTagName();
        assertTrue(Scenario.MESSAGE_ELEMENTS.contains(tag) || Scenario.OTHER_ELEMENTS.contains(tag),
            name + ": unknown element <" + tag + ">");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void followsTheExpectedMessageSequence(String name) throws IOException {
    assertEquals(expected(name), scenario(name).sequence(), name + ": sends and recvs in order");
  }

  @ParameterizedTest
  @MethodSource("names")
  void everyRecvAndPauseIsSensible(String name) throws IOException {
    for (Step st : scenario(name).steps) {
      String where = name + " message " + st.index() + " <" + st.kind() + ">";
      switch (st.kind()) {
        case "recv" -> {
          boolean response = !st.attr("response").isEmpty();
          boolean request = !st.attr("request").isEmpty();
          assertTrue(response ^ request, where + ": needs exactly one of response= or request=");
          if (response && !"true".equals(st.attr("regexp_match"))) {
            assertTrue(st.attr("response").matches("[1-6]\\d\\d"), where + ": response code " + st.attr("response"));
          }
          if (request) {
            assertTrue(st.attr("request").matches("[A-Z]+"), where + ": request method " + st.attr("request"));
          }
          if (!st.attr("timeout").isEmpty()) {
            assertTrue(st.attr("timeout").matches("\\d+"), where + ": timeout in ms");
          }
        }
        case "pause" -> assertTrue(st.attr("milliseconds").matches("\\d*"), where + ": milliseconds");
        case "send" -> assertFalse(st.message().startLine().isEmpty(), where + ": empty message");
        default -> { }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void sentMessagesCarrySippKeywordsAndLengths(String name) throws IOException {
    Scenario s = scenario(name);
    for (Step st : s.steps("send")) {
      Message m = st.message();
      String where = name + " message " + st.index() + " (" + m.startLine() + ")";
      if (m.isRequest()) {
        assertTrue(m.startLine().matches("[A-Z]+ \\S+ SIP/2\\.0"), where + ": request line");
        assertTrue(m.branchOffset().isPresent(), where + ": Via needs branch=[branch] or [branch-N]");
        assertTrue(m.header("Via").orElseThrow().contains("[local_ip]:[local_port]"), where + ": Via sent-by");
        assertEquals("[call_id]", m.header("Call-ID").orElse(""), where + ": Call-ID");
        assertTrue(m.header("From").orElse("").contains(";tag="), where + ": From tag");
        assertTrue(m.header("To").isPresent(), where + ": To");
        assertTrue(m.header("CSeq").orElse("").matches("\\d+ " + m.methodOrStatus()), where + ": CSeq method");
        assertTrue(m.header("Max-Forwards").isPresent(), where + ": Max-Forwards");
      } else {
        assertTrue(m.startLine().matches("SIP/2\\.0 \\d{3} .+"), where + ": status line");
        for (String line : List.of("[last_Via:]", "[last_From:]", "[last_To:]", "[last_Call-ID:]", "[last_CSeq:]")) {
          assertTrue(m.hasLine(line), where + ": a response copies the request's headers: " + line);
        }
      }
      if (m.body().isEmpty()) {
        assertEquals("0", m.header("Content-Length").orElse(""), where + ": no body, Content-Length: 0");
      } else {
        assertEquals("[len]", m.header("Content-Length").orElse(""), where + ": a body needs Content-Length: [len]");
        assertEquals("application/sdp", m.header("Content-Type").orElse(""), where + ": Content-Type");
        checkSdp(where, m.body());
      }
    }
  }

  /** The SDP offer: the mandatory lines in order and an rtpmap for every dynamic payload type. */
  static void checkSdp(String where, List<String> sdp) {
    List<String> types = sdp.stream().map(l -> l.length() > 1 && l.charAt(1) == '=' ? l.substring(0, 1) : "?")
        .filter(t -> !t.equals("a")).toList();
    assertEquals(List.of("v", "o", "s", "c", "t", "m"), types, where + ": SDP lines v o s c t m (RFC 4566 5)");
    assertEquals("v=0", sdp.get(0), where + ": v=0");
    String m = sdp.stream().filter(l -> l.startsWith("m=")).findFirst().orElseThrow();
    String[] parts = m.split(" ");
    assertTrue(m.matches("m=audio \\[(media_port|rtpstream_audio_port|auto_media_port)] RTP/AVP( \\d+)+"),
        where + ": " + m);
    for (String pt : Arrays.copyOfRange(parts, 3, parts.length)) {
      if (Integer.parseInt(pt) >= 96) {
        assertTrue(sdp.stream().anyMatch(l -> l.startsWith("a=rtpmap:" + pt + " ")), where + ": rtpmap for " + pt);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void transactionsMatchRfc3261(String name) throws IOException {
    Scenario s = scenario(name);
    Step invite = s.firstSent("INVITE").orElse(null);
    String lastFinal = null;
    // A label reached by a jump (<recv response="503" next="refused"/>): the step right after it
    // follows that response, not the one written just above it.
    Map<String, String> jumps = s.steps.stream()
        .filter(st -> st.kind().equals("recv") && !st.attr("next").isEmpty() && !st.attr("response").isEmpty())
        .collect(Collectors.toMap(st -> st.attr("next"), st -> st.attr("response"), (a, b) -> a));
    for (Step st : s.steps) {
      for (Node n = st.element().getPreviousSibling(); n != null; n = n.getPreviousSibling()) {
        if (n instanceof Element e) {
          if (e.getTagName().equals("label") && jumps.containsKey(e.getAttribute("id"))) {
            lastFinal = jumps.get(e.getAttribute("id"));
          }
          break;
        }
      }
      if (st.kind().equals("recv") && st.attr("response").matches("[2-6]\\d\\d")) {
        lastFinal = st.attr("response");
      }
      if (!st.kind().equals("send") || !st.message().isRequest()) {
        continue;
      }
      Message m = st.message();
      String method = m.methodOrStatus();
      String where = name + " message " + st.index() + " " + method;
      int offset = m.branchOffset().orElseThrow();
      boolean sameTransaction = method.equals("CANCEL") || (method.equals("ACK") && lastFinal != null
          && !lastFinal.startsWith("2"));
      if (sameTransaction) {
        // 9.1 and 17.1.1.3: the CANCEL, and the ACK of a non-2xx, reuse the INVITE's branch and CSeq number.
        assertTrue(invite != null, where + ": no INVITE to refer to");
        assertEquals(invite.index(), st.index() - offset, where + ": [branch-N] must point back at the INVITE");
        assertEquals(invite.message().cseqNumber(), m.cseqNumber(), where + ": CSeq number of the INVITE");
        assertEquals(invite.message().requestUri(), m.requestUri(), where + ": Request-URI of the INVITE");
      } else {
        assertEquals(0, offset, where + ": a new transaction takes a new branch, [branch]");
      }
      if (invite != null && st != invite && !method.equals("CANCEL")) {
        assertTrue(m.header("To").orElse("").contains("[peer_tag_param]"), where + ": To needs the peer's tag");
      }
      if (method.equals("BYE")) {
        assertTrue(m.cseqNumber() > invite.message().cseqNumber(), where + ": CSeq must grow within the dialog");
      }
      if ((method.equals("BYE") || method.equals("ACK")) && lastFinal != null && lastFinal.startsWith("2")) {
        assertEquals("[next_url]", m.requestUri(), where + ": in-dialog requests go to the 200's Contact");
        assertTrue(m.hasLine("[routes]"), where + ": in-dialog requests follow the route set");
      }
    }
    // SIPp matches a response to the CSeq methods of every request sent so far unless told the
    // transaction: a retransmitted 200 of the INVITE would otherwise pass for the BYE's or CANCEL's 200.
    for (int i = 0; i < s.steps.size(); i++) {
      Step st = s.steps.get(i);
      if (st.kind().equals("send") && st.message().isRequest()
          && List.of("BYE", "CANCEL").contains(st.message().methodOrStatus())) {
        String txn = st.attr("start_txn");
        assertFalse(txn.isEmpty(), name + " message " + st.index() + ": " + st.message().methodOrStatus()
            + " needs start_txn");
        Step reply = s.steps.subList(i + 1, s.steps.size()).stream().filter(r -> r.kind().equals("recv"))
            .findFirst().orElseThrow();
        assertEquals(txn, reply.attr("response_txn"), name + " message " + reply.index() + ": response_txn");
      }
    }
    // [next_url] is the Contact SIPp saved from a response received with rrs="true".
    boolean saved = false;
    for (Step st : s.steps) {
      saved |= st.kind().equals("recv") && "true".equals(st.attr("rrs"));
      if (st.kind().equals("send") && st.message().isRequest() && st.message().requestUri().equals("[next_url]")) {
        assertTrue(saved, name + " message " + st.index() + ": [next_url] needs rrs=\"true\" on an earlier recv");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void mediaActionsMatchTheOfferedPort(String name) throws IOException {
    Scenario s = scenario(name);
    List<String> execs = s.all("exec").stream()
        .flatMap(e -> Stream.of("rtp_stream", "play_pcap_audio", "play_dtmf").filter(e::hasAttribute)).toList();
    String port = s.firstSent("INVITE").map(st -> st.message().body().stream()
        .filter(l -> l.startsWith("m=audio ")).findFirst().orElse("")).orElse("");
    if (execs.contains("rtp_stream")) {
      // rtp_stream sends from, and receives on, its own socket: the offer must name that port.
      assertTrue(port.contains("[rtpstream_audio_port]"), name + ": rtp_stream needs m=audio [rtpstream_audio_port]");
      for (Element e : s.all("exec")) {
        String arg = e.getAttribute("rtp_stream");
        if (arg.startsWith("apattern,")) {
          String pt = arg.split(",")[2];
          assertTrue(port.matches(".* RTP/AVP(.* )?" + pt + "( .*)?"), name + ": apattern payload " + pt + " not offered");
        }
      }
    }
    if (execs.contains("play_pcap_audio") || execs.contains("play_dtmf")) {
      assertTrue(port.contains("[media_port]"), name + ": pcap play sends from [media_port]; offer that port");
    }
    if (execs.contains("play_dtmf")) {
      // SIPp's play_dtmf writes payload type 96 into every packet.
      List<String> body = s.firstSent("INVITE").orElseThrow().message().body();
      assertTrue(body.contains("a=rtpmap:96 telephone-event/8000"), name + ": play_dtmf sends telephone-event as 96");
    }
    if (name.equals("uac-basic") || name.equals("uac-agent-hangup") || name.equals("uac-load-media")) {
      assertTrue(execs.contains("rtp_stream"), name + ": audio both ways needs rtp_stream");
    }
    if (name.equals("uac-dtmf")) {
      assertTrue(execs.contains("play_dtmf") || execs.contains("play_pcap_audio"), name + ": no DTMF sent");
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void timersAndVariablesAreDeclaredBeforeUse(String name) throws IOException {
    Scenario s = scenario(name);
    List<String> started = new ArrayList<>();
    for (Step st : s.steps) {
      if (!st.attr("start_rtd").isEmpty()) {
        started.add(st.attr("start_rtd"));
      }
      if (!st.attr("rtd").isEmpty() && !st.attr("rtd").equals("true")) {
        assertTrue(started.contains(st.attr("rtd")), name + ": rtd=\"" + st.attr("rtd") + "\" before its start_rtd");
      }
    }
    // SIPp refuses to start when a variable is assigned but never referenced.
    Set<String> referenced = new TreeSet<>();
    s.all("Reference").forEach(r -> referenced.addAll(Arrays.asList(r.getAttribute("variables").split(","))));
    s.keywords().stream().filter(k -> k.startsWith("$")).forEach(k -> referenced.add(k.substring(1)));
    for (Element ereg : s.all("ereg")) {
      for (String var : ereg.getAttribute("assign_to").split(",")) {
        assertTrue(referenced.contains(var.trim()), name + ": variable " + var + " is never referenced");
      }
    }
  }

  @Test
  void theReadmeAndRunAllNameEveryScenario() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String runAll = Files.readString(Path.of("run-all.sh"));
    for (String name : EXPECTED.keySet()) {
      long lines = readme.lines().filter(l -> l.startsWith("| `" + name + "`")).count();
      assertEquals(1, lines, "README.md: one table line for " + name);
      assertTrue(runAll.contains("run " + name + " "), "run-all.sh does not run " + name);
    }
  }

  @Test
  void theParserSeesWhatSippSees() {
    Message m = Scenario.parseMessage("""

          CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
          Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-4]
          CSeq: 1 CANCEL
          [routes]
          Content-Length: 0

        """);
    assertEquals("CANCEL", m.methodOrStatus());
    assertEquals(4, m.branchOffset().orElseThrow());
    assertEquals(1, m.cseqNumber());
    assertTrue(m.hasLine("[routes]"));
    assertTrue(m.body().isEmpty());
    if (Scenario.parseMessage("\n  SIP/2.0 200 OK\n  [last_Via:]\n\n").isRequest()) {
      fail("a status line is a response");
    }
  }
}
