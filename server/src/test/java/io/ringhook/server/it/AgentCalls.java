package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.ringhook.server.it.TestAgent.Message;
import io.ringhook.server.peers.AudioAnalysis;
import io.ringhook.server.peers.G711;
import io.ringhook.server.peers.Wav;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * What the agent integration tests share: the numbers and timeouts, the configuration snippets,
 * the checks on what the agent received and on released ports, and a stand-in webhook.
 */
final class AgentCalls {
  static final Duration WAIT = Duration.ofSeconds(10); // generous: a loaded 2-core CI box
  static final String CALLER = "+12345678912";
  static final String NUMBER = "+12345678913";
  static final int RATE = Wav.RATE_8K;

  private AgentCalls() {}

  /** The {@code agents:} section with one agent. */
  static String agents(String name, URI url, String connectTimeout) {
    return "agents:\n"
        + "  " + name + ":\n"
        + "    url: " + url + "\n"
        + "    connect_timeout: " + connectTimeout + "\n";
  }

  /** {@link #NUMBER} without a webhook, bridged to agent {@code tester} at {@code url}. */
  static String agentNumber(URI url, String connectTimeout) {
    return "numbers:\n"
        + "  \"" + NUMBER + "\":\n"
        + "    agent: tester\n"
        + "  \"+15550002\": {}\n"
        + agents("tester", url, connectTimeout);
  }

  static boolean answersInvite(Response r) {
    return r.getStatusCode() / 100 == 2
        && Request.INVITE.equals(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod());
  }

  static Set<Integer> rtpPortsBound(RingFixture ring) {
    var rtp = ring.server().config().rtp();
    return OwnUdpPorts.boundIn(rtp.portMin(), rtp.portMax());
  }

  /** No RTP port of the server is bound any more (on Linux; checked through /proc). */
  static void assertRtpPortReleased(RingFixture ring) throws InterruptedException {
    var rtp = ring.server().config().rtp();
    OwnUdpPorts.awaitNoneBound(rtp.portMin(), rtp.portMax(), WAIT, "after the call ended");
  }

  /** Checks the caller's media messages: consecutive chunks 20 ms apart, 160 bytes each, carrying {@code hz}. */
  static void assertCallerAudio(List<Message> media, double hz) {
    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    long firstChunk = Long.parseLong(media.get(0).text("/media/chunk"));
    long firstTs = Long.parseLong(media.get(0).text("/media/timestamp"));
    assertEquals(1, firstChunk, "the first chunk is 1: " + media.get(0));
    for (int i = 0; i < media.size(); i++) {
      Message m = media.get(i);
      assertEquals("inbound", m.text("/media/track"), m.toString());
      long chunk = Long.parseLong(m.text("/media/chunk"));
      long ts = Long.parseLong(m.text("/media/timestamp"));
      assertEquals(firstChunk + i, chunk, "chunks count up one by one: " + media.subList(Math.max(0, i - 2), i + 1));
      assertEquals(firstTs + 20L * i, ts, "timestamps 20 ms apart: " + media.subList(Math.max(0, i - 2), i + 1));
      byte[] payload = Base64.getDecoder().decode(m.text("/media/payload"));
      assertEquals(160, payload.length, m.toString());
      for (byte b : payload) {
        short v = G711.ulawToLinear(b);
        pcm.write(v & 0xFF);
        pcm.write(v >> 8);
      }
    }
    byte[] raw = pcm.toByteArray();
    short[] samples = new short[raw.length / 2];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) ((raw[2 * i] & 0xFF) | (raw[2 * i + 1] << 8));
    }
    Wav.Audio audio = new Wav.Audio(RATE, samples);
    double rms = AudioAnalysis.rms(audio);
    assertEquals(hz, AudioAnalysis.dominantFrequency(audio), 15, "the caller's tone in media (rms " + rms + ")");
    // baresip plays a sine of peak 0.5: RMS 0.354 (A-law misread as μ-law would be far off).
    assertEquals(0.354, rms, 0.03, "the caller's tone level");
  }

  /** Every message ringhook sent after {@code connected} carries sequenceNumber 1, 2, 3, ... in order. */
  static void assertConsecutiveSequenceNumbers(TestAgent.Stream stream) {
    List<Long> seqs = new ArrayList<>();
    for (Message m : stream.messages()) {
      if (!m.event().startsWith("#") && !m.event().equals("connected")) {
        seqs.add(Long.parseLong(m.text("/sequenceNumber")));
      }
    }
    for (int i = 0; i < seqs.size(); i++) {
      if (seqs.get(i) != i + 1) {
        throw new AssertionError("sequenceNumber " + seqs.get(i) + " at position " + (i + 1) + ": " + stream);
      }
    }
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new TreeMap<>();
    object.fields().forEachRemaining(e -> {
      assertTrue(e.getValue().isTextual(), "customParameters are strings: " + object);
      out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }

  /**
   * Sends 300 ms of silence and a mark named {@code flush} and waits for its echo: the audio
   * before it has then also passed through baresip's jitter buffer into its recording.
   */
  static void flush(TestAgent.Stream stream) {
    flushAsync(stream);
    stream.awaitMark("flush", WAIT);
  }

  static void flushAsync(TestAgent.Stream stream) {
    byte[] silence = new byte[RATE * 300 / 1000];
    Arrays.fill(silence, (byte) 0xFF); // μ-law zero
    stream.sendMedia(silence);
    stream.sendMark("flush");
  }

  static byte[] filled(int value) {
    byte[] b = new byte[160];
    Arrays.fill(b, (byte) value);
    return b;
  }

  static byte[] mulaw(short[] pcm) {
    return G711.encodeUlaw(pcm, 0, pcm.length);
  }

  static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** The inbound call webhook: a JDK HTTP server answering every POST with 200 and {@code body}. */
  static final class Webhook implements AutoCloseable {
    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private Webhook(HttpServer server) {
      this.server = server;
    }

    static Webhook start(String body) throws java.io.IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      Webhook hook = new Webhook(server);
      server.createContext("/inbound", exchange -> {
        try (exchange) {
          hook.requests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, b.length);
          exchange.getResponseBody().write(b);
        }
      });
      server.start();
      return hook;
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/inbound";
    }

    List<String> requests() {
      return List.copyOf(requests);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
