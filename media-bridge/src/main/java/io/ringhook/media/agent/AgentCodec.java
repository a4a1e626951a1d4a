package io.ringhook.media.agent;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON codec behind {@link AgentMessages}: Jackson trees, so field order is Twilio's and
 * unknown fields cost nothing.
 */
final class AgentCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();
  /** How much of a bad value an error message quotes. */
  private static final int QUOTE_MAX = 40;

  private AgentCodec() {}

  /** A map of strings as compact JSON object text (for a nested parameter such as {@code sip_headers}). */
  static String json(Map<String, String> map) {
    ObjectNode o = NODES.objectNode();
    map.forEach(o::put);
    return o.toString();
  }

  static String encode(ToAgent message) {
    ObjectNode o = NODES.objectNode();
    if (message instanceof Connected c) {
      o.put("event", "connected");
      o.put("protocol", c.protocol());
      o.put("version", c.version());
    } else if (message instanceof Start s) {
      o.put("event", "start");
      o.put("sequenceNumber", Long.toString(s.sequenceNumber()));
      ObjectNode start = o.putObject("start");
      if (s.accountSid() != null) {
        start.put("accountSid", s.accountSid());
      }
      start.put("streamSid", s.streamSid());
      start.put("callSid", s.callSid());
      ArrayNode tracks = start.putArray("tracks");
      s.tracks().forEach(tracks::add);
      ObjectNode format = start.putObject("mediaFormat");
      format.put("encoding", s.mediaFormat().encoding());
      format.put("sampleRate", s.mediaFormat().sampleRate());
      format.put("channels", s.mediaFormat().channels());
      ObjectNode params = start.putObject("customParameters");
      s.customParameters().forEach(params::put);
      o.put("streamSid", s.streamSid());
    } else if (message instanceof Media m) {
      o.put("event", "media");
      o.put("sequenceNumber", Long.toString(m.sequenceNumber()));
      ObjectNode media = o.putObject("media");
      media.put("track", m.track());
      media.put("chunk", Long.toString(m.chunk()));
      media.put("timestamp", Long.toString(m.timestamp()));
      media.put("payload", B64.encodeToString(m.payload()));
      o.put("streamSid", m.streamSid());
    } else if (message instanceof Dtmf d) {
      o.put("event", "dtmf");
      o.put("streamSid", d.streamSid());
      o.put("sequenceNumber", Long.toString(d.sequenceNumber()));
      ObjectNode dtmf = o.putObject("dtmf");
      dtmf.put("track", d.track());
      dtmf.put("digit", d.digit());
    } else if (message instanceof Mark k) {
      o.put("event", "mark");
      o.put("sequenceNumber", Long.toString(k.sequenceNumber()));
      o.put("streamSid", k.streamSid());
      o.putObject("mark").put("name", k.name());
    } else if (message instanceof Stop s) {
      o.put("event", "stop");
      o.put("sequenceNumber", Long.toString(s.sequenceNumber()));
      ObjectNode stop = o.putObject("stop");
      if (s.accountSid() != null) {
        stop.put("accountSid", s.accountSid());
      }
      stop.put("callSid", s.callSid());
      o.put("streamSid", s.streamSid());
    } else {
      throw new IllegalArgumentException("not a message: " + message);
    }
    return o.toString();
  }

  static String encode(FromAgent message) {
    ObjectNode o = NODES.objectNode();
    if (message instanceof OutboundMedia m) {
      o.put("event", "media");
      putSid(o, m.streamSid());
      o.putObject("media").put("payload", B64.encodeToString(m.payload()));
    } else if (message instanceof OutboundMark k) {
      o.put("event", "mark");
      putSid(o, k.streamSid());
      o.putObject("mark").put("name", k.name());
    } else if (message instanceof Clear c) {
      o.put("event", "clear");
      putSid(o, c.streamSid());
    } else {
      throw new IllegalArgumentException("not a message: " + message);
    }
    return o.toString();
  }

  static ToAgent decodeToAgent(String json) throws AgentMessageException {
    Reader r = Reader.of(json);
    return switch (r.event) {
      case "connected" -> new Connected(r.text(r.root, "protocol"), r.text(r.root, "version"));
      case "start" -> {
        ObjectNode start = r.object(r.root, "start");
        ObjectNode format = r.object(start, "mediaFormat");
        yield new Start(r.number(r.root, "sequenceNumber"), r.text(start, "streamSid"),
            r.optionalText(start, "accountSid"), r.text(start, "callSid"),
            r.textArray(start, "tracks"), r.parameters(start, "customParameters"),
            new MediaFormat(r.text(format, "encoding"), r.integer(format, "sampleRate"),
                r.integer(format, "channels")));
      }
      case "media" -> {
        ObjectNode media = r.object(r.root, "media");
        yield new Media(r.number(r.root, "sequenceNumber"), r.text(r.root, "streamSid"),
            r.text(media, "track"), r.number(media, "chunk"), r.number(media, "timestamp"),
            r.base64(media, "payload"));
      }
      case "dtmf" -> {
        ObjectNode dtmf = r.object(r.root, "dtmf");
        yield new Dtmf(r.number(r.root, "sequenceNumber"), r.text(r.root, "streamSid"),
            r.text(dtmf, "track"), r.text(dtmf, "digit"));
      }
      case "mark" -> new Mark(r.number(r.root, "sequenceNumber"), r.text(r.root, "streamSid"),
          r.text(r.object(r.root, "mark"), "name"));
      case "stop" -> {
        ObjectNode stop = r.object(r.root, "stop");
        yield new Stop(r.number(r.root, "sequenceNumber"), r.text(r.root, "streamSid"),
            r.optionalText(stop, "accountSid"), r.text(stop, "callSid"));
      }
      default -> throw r.unknownEvent("connected, start, media, dtmf, mark, stop");
    };
  }

  static FromAgent decodeFromAgent(String json) throws AgentMessageException {
    Reader r = Reader.of(json);
    String sid = r.optionalText(r.root, "streamSid");
    return switch (r.event) {
      case "media" -> new OutboundMedia(sid, r.base64(r.object(r.root, "media"), "payload"));
      case "mark" -> new OutboundMark(sid, r.text(r.object(r.root, "mark"), "name"));
      case "clear" -> new Clear(sid);
      default -> throw r.unknownEvent("media, mark, clear");
    };
  }

  private static void putSid(ObjectNode o, String streamSid) {
    if (streamSid != null) {
      o.put("streamSid", streamSid);
    }
  }

  /** One message being read: its tree, its event, and field readers with path-naming errors. */
  private static final class Reader {
    final ObjectNode root;
    final String event;
    private final Map<JsonNode, String> paths = new IdentityHashMap<>();

    private Reader(ObjectNode root, String event) {
      this.root = root;
      this.event = event;
      paths.put(root, "");
    }

    static Reader of(String json) throws AgentMessageException {
      if (json == null) {
        throw new AgentMessageException(Kind.MALFORMED, null, "no message text");
      }
      JsonNode tree;
      try {
        tree = JSON.readTree(json);
      } catch (JacksonException e) {
        throw new AgentMessageException(Kind.MALFORMED, null,
            "not JSON: " + e.getOriginalMessage());
      }
      if (!(tree instanceof ObjectNode root)) {
        throw new AgentMessageException(Kind.MALFORMED, null,
            "not a JSON object: " + quote(json));
      }
      JsonNode event = root.get("event");
      if (event == null || !event.isTextual()) {
        throw new AgentMessageException(Kind.MALFORMED, null,
            event == null ? "no \"event\" field" : "\"event\" is not a string");
      }
      return new Reader(root, event.textValue());
    }

    AgentMessageException unknownEvent(String known) {
      return new AgentMessageException(Kind.UNKNOWN_EVENT, event,
          "unknown event " + quote(event) + " (expected one of " + known + ")");
    }

    ObjectNode object(ObjectNode parent, String field) throws AgentMessageException {
      JsonNode n = required(parent, field);
      if (!(n instanceof ObjectNode o)) {
        throw bad(parent, field, "is not an object");
      }
      paths.put(o, path(parent, field));
      return o;
    }

    String text(ObjectNode parent, String field) throws AgentMessageException {
      JsonNode n = required(parent, field);
      if (!n.isTextual()) {
        throw bad(parent, field, "is not a string");
      }
      return n.textValue();
    }

    String optionalText(ObjectNode parent, String field) throws AgentMessageException {
      JsonNode n = parent.get(field);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isTextual()) {
        throw bad(parent, field, "is not a string");
      }
      return n.textValue();
    }

    /** A non-negative integer sent as a string of digits (Twilio's way) or as a JSON number. */
    long number(ObjectNode parent, String field) throws AgentMessageException {
      JsonNode n = required(parent, field);
      if (n.isTextual()) {
        String s = n.textValue();
        if (!s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
          return Long.parseLong(s);
        }
      } else if (n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0) {
        return n.longValue();
      }
      throw bad(parent, field, "is not a non-negative integer: " + quote(n.toString()));
    }

    int integer(ObjectNode parent, String field) throws AgentMessageException {
      long v = number(parent, field);
      if (v > Integer.MAX_VALUE) {
        throw bad(parent, field, "is too large: " + v);
      }
      return (int) v;
    }

    byte[] base64(ObjectNode parent, String field) throws AgentMessageException {
      String s = text(parent, field);
      try {
        return B64_DECODER.decode(s);
      } catch (IllegalArgumentException e) {
        throw bad(parent, field, "is not base64 (" + e.getMessage() + ")");
      }
    }

    List<String> textArray(ObjectNode parent, String field) throws AgentMessageException {
      JsonNode n = required(parent, field);
      if (!n.isArray()) {
        throw bad(parent, field, "is not an array");
      }
      List<String> out = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        if (!e.isTextual()) {
          throw bad(parent, field, "holds a non-string: " + quote(e.toString()));
        }
        out.add(e.textValue());
      }
      return out;
    }

    /** An optional object of parameters; scalars become their text, nested values JSON text. */
    Map<String, String> parameters(ObjectNode parent, String field) throws AgentMessageException {
      JsonNode n = parent.get(field);
      Map<String, String> out = new LinkedHashMap<>();
      if (n == null || n.isNull()) {
        return out;
      }
      if (!n.isObject()) {
        throw bad(parent, field, "is not an object");
      }
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        JsonNode v = e.getValue();
        out.put(e.getKey(), v.isValueNode() ? (v.isNull() ? "" : v.asText()) : v.toString());
      }
      return out;
    }

    private JsonNode required(ObjectNode parent, String field) throws AgentMessageException {
      JsonNode n = parent.get(field);
      if (n == null || n.isNull()) {
        throw new AgentMessageException(Kind.MALFORMED, event,
            event + " message without " + path(parent, field));
      }
      return n;
    }

    private AgentMessageException bad(ObjectNode parent, String field, String problem) {
      return new AgentMessageException(Kind.MALFORMED, event,
          event + " message: " + path(parent, field) + " " + problem);
    }

    private String path(ObjectNode parent, String field) {
      String base = paths.getOrDefault(parent, "");
      return base.isEmpty() ? field : base + "." + field;
    }
  }

  private static String quote(String s) {
    String q = s.length() > QUOTE_MAX ? s.substring(0, QUOTE_MAX) + "..." : s;
    return "\"" + q + "\"";
  }
}
