package io.ringhook.server.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringhook.server.http.HttpReply;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/** The admin API's JSON reader and writer: strict reading (no duplicate keys, nothing after the value). */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A 200 reply (or {@code status}) with {@code node} as its body. */
  static HttpReply reply(int status, JsonNode node) {
    try {
      return HttpReply.json(status, MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always serialises", e);
    }
  }

  /** Parses a request body; a 400 naming the problem when it is not JSON. */
  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw ApiError.badRequest("the body is empty: send a JSON object");
    }
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw ApiError.badRequest("the body is not valid JSON: " + why);
    }
  }

  /** An instant as ISO-8601 UTC text, or null. */
  static void put(ObjectNode node, String field, Optional<Instant> value) {
    if (value.isPresent()) {
      node.put(field, value.get().toString());
    } else {
      node.putNull(field);
    }
  }
}
