package io.ringhook.media.agent;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The agent protocol's messages: the Twilio Media Streams message set as records, with their JSON
 * encoding and decoding.
 *
 * <p>{@link ToAgent} messages go from ringhook to the agent ({@code connected}, {@code start},
 * {@code media}, {@code dtmf}, {@code mark}, {@code stop}); {@link FromAgent} messages come back
 * ({@code media}, {@code mark}, {@code clear}). Field names and shapes are Twilio's, including
 * its habit of sending counters ({@code sequenceNumber}, {@code chunk}, {@code timestamp}) as JSON
 * strings; the decoders accept them as strings or numbers and ignore fields they do not know.
 * {@code docs/agent-protocol.md} shows a sample of each, and the tests check the codec against
 * those very samples.
 *
 * <p>Audio payloads are raw bytes here (μ-law, 8000 Hz, mono) and base64 on the wire.
 */
public final class AgentMessages {
  /** The {@code connected} message's protocol name. */
  public static final String PROTOCOL = "Call";
  /** The {@code connected} message's protocol version. */
  public static final String VERSION = "1.0.0";
  /** The track of the caller's audio, in {@code start.tracks} and {@code media.track}. */
  public static final String INBOUND = "inbound";
  /** The track a {@code dtmf} message names (Twilio spells it differently from media's). */
  public static final String INBOUND_TRACK = "inbound_track";

  private AgentMessages() {}

  /** A message from ringhook to the agent. */
  public sealed interface ToAgent permits Connected, Start, Media, Dtmf, Mark, Stop {}

  /** A message from the agent to ringhook. */
  public sealed interface FromAgent permits OutboundMedia, OutboundMark, Clear {}

  /** The audio format of a stream, as {@code start.mediaFormat} states it. */
  public record MediaFormat(String encoding, int sampleRate, int channels) {
    /** The only format ringhook streams: G.711 μ-law, 8000 Hz, mono. */
    public static final MediaFormat MULAW_8000_MONO = new MediaFormat("audio/x-mulaw", 8000, 1);

    public MediaFormat {
      Objects.requireNonNull(encoding, "encoding");
    }
  }

  /** The first message on a new stream; carries no sequence number. */
  public record Connected(String protocol, String version) implements ToAgent {
    /** The {@code connected} message ringhook sends. */
    public static final Connected CALL_1_0_0 = new Connected(PROTOCOL, VERSION);

    public Connected {
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(version, "version");
    }
  }

  /**
   * The stream's metadata, sent once right after {@code connected}.
   *
   * @param accountSid null when there is none (ringhook has no accounts unless configured)
   * @param customParameters the call's variables: the webhook's {@code dynamic_variables} plus
   *     {@code from_number} and {@code to_number}
   */
  public record Start(long sequenceNumber, String streamSid, String accountSid, String callSid,
      List<String> tracks, Map<String, String> customParameters, MediaFormat mediaFormat)
      implements ToAgent {
    public Start {
      checkSequence(sequenceNumber);
      Objects.requireNonNull(streamSid, "streamSid");
      Objects.requireNonNull(callSid, "callSid");
      tracks = List.copyOf(tracks);
      customParameters = copyOf(customParameters);
      Objects.requireNonNull(mediaFormat, "mediaFormat");
    }
  }

  /**
   * 20 ms of the caller's audio.
   *
   * @param chunk the audio chunk's number, from 1
   * @param timestamp milliseconds since the stream started
   * @param payload μ-law bytes
   */
  public record Media(long sequenceNumber, String streamSid, String track, long chunk,
      long timestamp, byte[] payload) implements ToAgent {
    public Media {
      checkSequence(sequenceNumber);
      Objects.requireNonNull(streamSid, "streamSid");
      Objects.requireNonNull(track, "track");
      checkNonNegative(chunk, "chunk");
      checkNonNegative(timestamp, "timestamp");
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Media m && sequenceNumber == m.sequenceNumber && chunk == m.chunk
          && timestamp == m.timestamp && streamSid.equals(m.streamSid) && track.equals(m.track)
          && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
      return Objects.hash(sequenceNumber, streamSid, track, chunk, timestamp)
          * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Media[sequenceNumber=" + sequenceNumber + ", streamSid=" + streamSid + ", track="
          + track + ", chunk=" + chunk + ", timestamp=" + timestamp + ", payload="
          + payload.length + " bytes]";
    }
  }

  /** A key the caller pressed (reported once per press). */
  public record Dtmf(long sequenceNumber, String streamSid, String track, String digit)
      implements ToAgent {
    public Dtmf {
      checkSequence(sequenceNumber);
      Objects.requireNonNull(streamSid, "streamSid");
      Objects.requireNonNull(track, "track");
      Objects.requireNonNull(digit, "digit");
    }
  }

  /** The echo of an agent's mark: the audio queued before it has been played, or cleared. */
  public record Mark(long sequenceNumber, String streamSid, String name) implements ToAgent {
    public Mark {
      checkSequence(sequenceNumber);
      Objects.requireNonNull(streamSid, "streamSid");
      Objects.requireNonNull(name, "name");
    }
  }

  /** The stream is over (the caller hung up); the WebSocket is closed next. */
  public record Stop(long sequenceNumber, String streamSid, String accountSid, String callSid)
      implements ToAgent {
    public Stop {
      checkSequence(sequenceNumber);
      Objects.requireNonNull(streamSid, "streamSid");
      Objects.requireNonNull(callSid, "callSid");
    }
  }

  /**
   * Audio for the caller, of any length.
   *
   * @param streamSid as the agent sent it, or null when it sent none
   * @param payload μ-law bytes
   */
  public record OutboundMedia(String streamSid, byte[] payload) implements FromAgent {
    public OutboundMedia {
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof OutboundMedia m && Objects.equals(streamSid, m.streamSid)
          && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
      return Objects.hashCode(streamSid) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "OutboundMedia[streamSid=" + streamSid + ", payload=" + payload.length + " bytes]";
    }
  }

  /** A mark to echo once the audio the agent queued before it has been played (or cleared). */
  public record OutboundMark(String streamSid, String name) implements FromAgent {
    public OutboundMark {
      Objects.requireNonNull(name, "name");
    }
  }

  /** Drop all queued audio now (barge-in); the marks it drops are echoed. */
  public record Clear(String streamSid) implements FromAgent {}

  /** The JSON text of a message to the agent. */
  public static String encode(ToAgent message) {
    return AgentCodec.encode(message);
  }

  /** The JSON text of a message from the agent. */
  public static String encode(FromAgent message) {
    return AgentCodec.encode(message);
  }

  /**
   * Reads a message sent to an agent (what an agent, such as the demo, receives).
   *
   * @throws AgentMessageException when the text is not such a message
   */
  public static ToAgent decodeToAgent(String json) throws AgentMessageException {
    return AgentCodec.decodeToAgent(json);
  }

  /**
   * Reads a message sent by an agent (what ringhook receives).
   *
   * @throws AgentMessageException when the text is not such a message
   */
  public static FromAgent decodeFromAgent(String json) throws AgentMessageException {
    return AgentCodec.decodeFromAgent(json);
  }

  /** An ordered, unmodifiable copy with no null keys or values. */
  static Map<String, String> copyOf(Map<String, String> map) {
    Map<String, String> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "parameter name"),
        Objects.requireNonNull(v, () -> "parameter " + k + " has no value")));
    return Collections.unmodifiableMap(copy);
  }

  private static void checkSequence(long n) {
    checkNonNegative(n, "sequenceNumber");
  }

  private static void checkNonNegative(long n, String name) {
    if (n < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + n);
    }
  }
}
