package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringhook.media.agent.AgentMessageException.Kind;
import io.ringhook.media.agent.AgentMessages.Clear;
import io.ringhook.media.agent.AgentMessages.Connected;
import io.ringhook.media.agent.AgentMessages.Dtmf;
import io.ringhook.media.agent.AgentMessages.FromAgent;
import io.ringhook.media.agent.AgentMessages.Mark;
import io.ringhook.media.agent.AgentMessages.Media;
import io.ringhook.media.agent.AgentMessages.MediaFormat;
import io.ringhook.media.agent.AgentMessages.OutboundMark;
import io.ringhook.media.agent.AgentMessages.OutboundMedia;
import io.ringhook.media.agent.AgentMessages.Start;
import io.ringhook.media.agent.AgentMessages.Stop;
import io.ringhook.media.agent.AgentMessages.ToAgent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The codec against the samples of docs/agent-protocol.md, and against bad input. */
class AgentMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SID = "MZ4f6e1d2c3b4a59687766554433221100";
  private static final String CALL = "5f3a9c2e7d41b08a";

  /** What each documented sample must decode to (and encode from). */
  static final Map<String, ToAgent> TO_AGENT = new LinkedHashMap<>();
  static final Map<String, FromAgent> FROM_AGENT = new LinkedHashMap<>();

  static {
    TO_AGENT.put("to-agent/connected", Connected.CALL_1_0_0);
    TO_AGENT.put("to-agent/start", new Start(1, SID, null, CALL, List.of("inbound"),
        startParameters(), MediaFormat.MULAW_8000_MONO));
    TO_AGENT.put("to-agent/media", new Media(2, SID, "inbound", 1, 20, Tones.mulaw(1000, 160)));
    TO_AGENT.put("to-agent/dtmf", new Dtmf(3, SID, "inbound_track", "5"));
    TO_AGENT.put("to-agent/mark", new Mark(4, SID, "greeting-done"));
    TO_AGENT.put("to-agent/stop", new Stop(5, SID, null, CALL));
    FROM_AGENT.put("from-agent/media", new OutboundMedia(SID, Tones.mulaw(500, 160)));
    FROM_AGENT.put("from-agent/mark", new OutboundMark(SID, "greeting-done"));
    FROM_AGENT.put("from-agent/clear", new Clear(SID));
  }

  /** The documented start's parameters, made the way a connection makes them. */
  private static Map<String, String> startParameters() {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("customer_name", "Jane Doe");
    variables.put("plan", "gold");
    variables.put("open_tickets", "2");
    return new AgentStart(CALL, SID, "+12345678912", "+12345678913", variables)
        .customParameters();
  }

  @Test
  void everyMessageHasExactlyOneSampleInTheDocument() {
    TreeSet<String> expected = new TreeSet<>(TO_AGENT.keySet());
    expected.addAll(FROM_AGENT.keySet());
    assertEquals(expected, new TreeSet<>(ProtocolSamples.load().keySet()));
  }

  @Test
  void samplesToTheAgentDecodeAndEncodeBothWays() throws Exception {
    Map<String, String> samples = ProtocolSamples.load();
    for (Map.Entry<String, ToAgent> e : TO_AGENT.entrySet()) {
      String sample = samples.get(e.getKey());
      assertEquals(e.getValue(), AgentMessages.decodeToAgent(sample), e.getKey());
      assertEquals(JSON.readTree(sample), JSON.readTree(AgentMessages.encode(e.getValue())),
          e.getKey());
    }
  }

  @Test
  void samplesFromTheAgentDecodeAndEncodeBothWays() throws Exception {
    Map<String, String> samples = ProtocolSamples.load();
    for (Map.Entry<String, FromAgent> e : FROM_AGENT.entrySet()) {
      String sample = samples.get(e.getKey());
      assertEquals(e.getValue(), AgentMessages.decodeFromAgent(sample), e.getKey());
      assertEquals(JSON.readTree(sample), JSON.readTree(AgentMessages.encode(e.getValue())),
          e.getKey());
    }
  }

  @Test
  void countersAreStringsAndTheFormatNumbersOnTheWire() throws Exception {
    JsonNode media = JSON.readTree(AgentMessages.encode(TO_AGENT.get("to-agent/media")));
    assertTrue(media.get("sequenceNumber").isTextual());
    assertTrue(media.get("media").get("chunk").isTextual());
    assertTrue(media.get("media").get("timestamp").isTextual());
    JsonNode start = JSON.readTree(AgentMessages.encode(TO_AGENT.get("to-agent/start")));
    assertTrue(start.get("start").get("mediaFormat").get("sampleRate").isInt());
    assertFalse(start.get("start").has("accountSid"), "no accountSid unless there is one");
    String encoded = AgentMessages.encode(TO_AGENT.get("to-agent/dtmf"));
    assertFalse(encoded.contains("\n") || encoded.contains(" "), "compact: " + encoded);
  }

  @Test
  void accountSidIsSentWhenThereIsOne() throws Exception {
    Stop stop = new Stop(9, SID, "AC123", CALL);
    JsonNode tree = JSON.readTree(AgentMessages.encode(stop));
    assertEquals("AC123", tree.get("stop").get("accountSid").textValue());
    assertEquals(stop, AgentMessages.decodeToAgent(tree.toString()));
  }

  @Test
  void decodingIgnoresUnknownFieldsAndTakesNumbersAsNumbers() throws Exception {
    String media = "{\"event\":\"media\",\"sequenceNumber\":7,\"extra\":{\"a\":[1,2]},"
        + "\"media\":{\"track\":\"inbound\",\"chunk\":3,\"timestamp\":\"60\",\"payload\":\"AAEC\","
        + "\"future\":true},\"streamSid\":\"MZ1\"}";
    assertEquals(new Media(7, "MZ1", "inbound", 3, 60, new byte[] {0, 1, 2}),
        AgentMessages.decodeToAgent(media));
    String fromAgent = "{\"event\":\"media\",\"media\":{\"payload\":\"AAEC\",\"track\":\"outbound\"},"
        + "\"sequenceNumber\":\"12\"}";
    OutboundMedia m = (OutboundMedia) AgentMessages.decodeFromAgent(fromAgent);
    assertNull(m.streamSid(), "streamSid is optional from the agent");
    assertArrayEquals(new byte[] {0, 1, 2}, m.payload());
    assertEquals(new Clear(null), AgentMessages.decodeFromAgent("{\"event\":\"clear\"}"));
  }

  @Test
  void startParametersOfOtherTypesBecomeText() throws Exception {
    String start = "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZ1\","
        + "\"callSid\":\"c\",\"tracks\":[\"inbound\"],\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\","
        + "\"sampleRate\":8000,\"channels\":1},\"customParameters\":{\"n\":2,\"b\":true,"
        + "\"o\":{\"x\":1}}},\"streamSid\":\"MZ1\"}";
    Start s = (Start) AgentMessages.decodeToAgent(start);
    assertEquals(Map.of("n", "2", "b", "true", "o", "{\"x\":1}"), s.customParameters());
  }

  @Test
  void malformedMessagesAreRejectedWithTheFieldNamed() {
    assertMalformed("not JSON", "{\"event\":");
    assertMalformed("not a JSON object", "[1,2]");
    assertMalformed("no \"event\"", "{\"media\":{}}");
    assertMalformed("\"event\" is not a string", "{\"event\":5}");
    assertMalformed("without media", "{\"event\":\"media\"}");
    assertMalformed("without media.payload", "{\"event\":\"media\",\"media\":{}}");
    assertMalformed("media.payload is not a string",
        "{\"event\":\"media\",\"media\":{\"payload\":42}}");
    assertMalformed("media.payload is not base64",
        "{\"event\":\"media\",\"media\":{\"payload\":\"not base64!\"}}");
    assertMalformed("without mark.name", "{\"event\":\"mark\",\"mark\":{}}");
    assertMalformed("mark is not an object", "{\"event\":\"mark\",\"mark\":\"x\"}");
    assertMalformed("streamSid is not a string", "{\"event\":\"clear\",\"streamSid\":1}");
  }

  @Test
  void badCountersAreRejected() {
    String template = "{\"event\":\"mark\",\"sequenceNumber\":%s,\"streamSid\":\"MZ1\","
        + "\"mark\":{\"name\":\"n\"}}";
    for (String bad : List.of("\"-1\"", "-1", "\"1.5\"", "1.5", "\"\"", "\"x\"", "true",
        "\"99999999999999999999\"")) {
      AgentMessageException e = assertThrows(AgentMessageException.class,
          () -> AgentMessages.decodeToAgent(String.format(template, bad)), bad);
      assertEquals(Kind.MALFORMED, e.kind());
      assertTrue(e.getMessage().contains("sequenceNumber"), e.getMessage());
    }
  }

  @Test
  void unknownEventsAreToldApartFromMalformedOnes() {
    AgentMessageException e = assertThrows(AgentMessageException.class,
        () -> AgentMessages.decodeFromAgent("{\"event\":\"hangup\",\"streamSid\":\"MZ1\"}"));
    assertEquals(Kind.UNKNOWN_EVENT, e.kind());
    assertEquals("hangup", e.event());
    // The directions are distinct: start is not something an agent sends.
    AgentMessageException start = assertThrows(AgentMessageException.class,
        () -> AgentMessages.decodeFromAgent(ProtocolSamples.load().get("to-agent/start")));
    assertEquals(Kind.UNKNOWN_EVENT, start.kind());
    assertEquals(Kind.UNKNOWN_EVENT, assertThrows(AgentMessageException.class,
        () -> AgentMessages.decodeToAgent("{\"event\":\"clear\"}")).kind());
  }

  @Test
  void agentStartPutsTheCallsNumbersFirstAndLetsThemWin() {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("to_number", "+1999");
    variables.put("name", "Jane");
    AgentStart start = new AgentStart("c1", "MZ1", "anonymous", "+12345678913", variables);
    assertEquals(List.of("from_number", "to_number", "name"),
        List.copyOf(start.customParameters().keySet()));
    assertEquals("+12345678913", start.customParameters().get("to_number"));
    assertEquals("anonymous", start.customParameters().get("from_number"));
    assertThrows(IllegalArgumentException.class,
        () -> new AgentStart(" ", "MZ1", "a", "b", Map.of()));
    assertTrue(AgentStart.newStreamSid().matches("MZ[0-9a-f]{32}"));
  }

  private static void assertMalformed(String expected, String json) {
    AgentMessageException e = assertThrows(AgentMessageException.class,
        () -> AgentMessages.decodeFromAgent(json), json);
    assertEquals(Kind.MALFORMED, e.kind(), json);
    assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should say " + expected);
  }
}
