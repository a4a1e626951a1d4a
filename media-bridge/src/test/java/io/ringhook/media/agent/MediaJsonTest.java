package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringhook.media.agent.AgentMessages.FromAgent;
import io.ringhook.media.agent.AgentMessages.Media;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-frame fast path against the tree codec: the same bytes out, the same messages in. */
class MediaJsonTest {
  private static final String SID = "MZ4f6e1d2c3b4a59687766554433221100";

  private static String fast(Media m) {
    ByteBuf b = MediaJson.media(UnpooledByteBufAllocator.DEFAULT, m.sequenceNumber(), m.streamSid(),
        m.track(), m.chunk(), m.timestamp(), m.payload());
    if (b == null) {
      return null;
    }
    try {
      return b.toString(StandardCharsets.US_ASCII);
    } finally {
      b.release();
    }
  }

  private static FromAgent read(String json) {
    return MediaJson.fromAgent(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
  }

  @Test
  void theMediaTemplateWritesExactlyWhatTheTreeCodecWrites() {
    SplittableRandom random = new SplittableRandom(16);
    for (int length : new int[] {0, 1, 2, 3, 4, 5, 159, 160, 161, 320}) {
      byte[] payload = new byte[length];
      random.nextBytes(payload);
      for (long n : new long[] {0, 9, 10, 99, 12345, Long.MAX_VALUE}) {
        Media m = new Media(n, SID, AgentMessages.INBOUND, n, n, payload);
        assertEquals(AgentMessages.encode(m), fast(m), length + " bytes, counter " + n);
      }
    }
  }

  @Test
  void theAgentsMediaTemplateWritesExactlyWhatTheTreeCodecWrites() {
    for (int length : new int[] {0, 1, 2, 3, 160}) {
      byte[] payload = new byte[length];
      new SplittableRandom(length).nextBytes(payload);
      ByteBuf b = MediaJson.outboundMedia(UnpooledByteBufAllocator.DEFAULT, SID, payload);
      assertEquals(AgentMessages.encode(new AgentMessages.OutboundMedia(SID, payload)),
          b.toString(StandardCharsets.US_ASCII), length + " bytes");
      b.release();
      assertArrayEquals(payload, MediaJson.mediaPayload(Unpooled.copiedBuffer(
          AgentMessages.encode(new Media(3, SID, AgentMessages.INBOUND, 3, 40, payload)),
          StandardCharsets.UTF_8)), "the demo agent reads the caller's audio back");
    }
    assertNull(MediaJson.outboundMedia(UnpooledByteBufAllocator.DEFAULT, "MZ\\", new byte[1]));
    assertNull(MediaJson.mediaPayload(Unpooled.copiedBuffer("{\"event\":\"mark\",\"mark\":{\"name\":\"a\"}}",
        StandardCharsets.UTF_8)));
  }

  @Test
  void textThatWouldNeedEscapingTakesTheTreeWay() {
    assertNull(fast(new Media(1, "MZ\"1", AgentMessages.INBOUND, 1, 0, new byte[160])));
    assertNull(fast(new Media(1, "MZ1", "in\\bound", 1, 0, new byte[160])));
    assertNull(fast(new Media(1, "MZé", AgentMessages.INBOUND, 1, 0, new byte[160])));
  }

  @Test
  void agentMessagesReadAsTheTreeCodecReadsThem() throws Exception {
    Map<String, String> samples = ProtocolSamples.load();
    for (String name : List.of("from-agent/media", "from-agent/mark", "from-agent/clear")) {
      String sample = samples.get(name);
      assertEquals(AgentMessages.decodeFromAgent(sample), read(sample), name);
    }
    for (String json : List.of(
        "{\"event\":\"media\",\"media\":{\"payload\":\"AAEC\",\"track\":\"outbound\"},\"sequenceNumber\":\"12\"}",
        "{ \"media\" : { \"x\" : [1, {\"payload\": 2}], \"payload\" : \"AAE\" }, \"event\" : \"media\", \"streamSid\": null }",
        "{\"event\":\"media\",\"media\":{\"payload\":\"AA==\"},\"extra\":{\"a\":[1,2]}}",
        "{\"event\":\"media\",\"media\":{\"payload\":\"\"}}",
        "{\"streamSid\":\"MZ\\u00e91\",\"event\":\"mark\",\"mark\":{\"name\":\"a \\\"b\\\"\"}}")) {
      assertEquals(AgentMessages.decodeFromAgent(json), read(json), json);
    }
  }

  @Test
  void anythingTheTreeCodecWouldRefuseOrIgnoreIsLeftToIt() {
    for (String json : List.of("{\"event\":", "[1,2]", "{\"media\":{}}", "{\"event\":5}",
        "{\"event\":\"media\"}", "{\"event\":\"media\",\"media\":{}}",
        "{\"event\":\"media\",\"media\":{\"payload\":5}}",
        "{\"event\":\"media\",\"media\":{\"payload\":\"A A=\"}}",
        "{\"event\":\"media\",\"media\":{\"payload\":\"AAE=A\"}}",
        "{\"event\":\"media\",\"media\":{\"payload\":\"A\"}}",
        "{\"event\":\"mark\",\"mark\":\"x\"}", "{\"event\":\"clear\",\"streamSid\":1}",
        "{\"event\":\"hangup\"}", "{\"event\":\"clear\"} trailing")) {
      assertNull(read(json), json);
    }
  }
}
