package io.ringhook.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges a complete response by the contract: a 2xx whose body is empty or a JSON object, with
 * {@code dynamic_variables}, when present, an object; {@code agent} a known agent's name;
 * {@code decline} an object with an allowed {@code status}; {@code metadata} an object. Flattens
 * the variables to strings.
 */
final class ResponseEvaluator {

  /** Either an answer (success) or a reason and detail (failure). */
  record Verdict(WebhookResult.Answer answer, FailureReason reason, String detail) {
    static Verdict success(Map<String, String> variables) {
      return success(WebhookResult.Answer.of(variables));
    }

    static Verdict success(WebhookResult.Answer answer) {
      return new Verdict(answer, null, "");
    }

    Map<String, String> variables() {
      return answer == null ? null : answer.variables();
    }

    static Verdict failure(FailureReason reason, String detail) {
      return new Verdict(null, reason, detail);
    }

    boolean succeeded() {
      return reason == null;
    }
  }

  private static final int SNIPPET_CHARS = 120;

  private ResponseEvaluator() {}

  static Verdict evaluate(Response response) {
    return evaluate(response, Set.of());
  }

  /** @param agents the agent names an answer's {@code agent} may choose */
  static Verdict evaluate(Response response, Set<String> agents) {
    int status = response.status();
    if (status < 200 || status > 299) {
      return Verdict.failure(FailureReason.STATUS, statusDetail(response));
    }
    byte[] body = response.body();
    if (isBlank(body)) {
      return Verdict.success(Map.of());
    }
    JsonNode root;
    try {
      root = Json.READER.readTree(body);
    } catch (JacksonException e) {
      return Verdict.failure(
          FailureReason.NOT_JSON,
          "body is not JSON" + contentTypeNote(response) + ": " + snippet(body));
    } catch (IOException e) {
      return Verdict.failure(FailureReason.NOT_JSON, "body is not JSON: " + e.getMessage());
    }
    if (!root.isObject()) {
      return Verdict.failure(
          FailureReason.NOT_OBJECT, "body is a JSON " + kind(root) + ", expected an object");
    }
    JsonNode vars = root.get("dynamic_variables");
    Map<String, String> variables = Map.of();
    if (vars != null && !vars.isNull()) {
      if (!vars.isObject()) {
        return Verdict.failure(
            FailureReason.VARIABLES_NOT_OBJECT,
            "dynamic_variables is a JSON " + kind(vars) + ", expected an object");
      }
      variables = flatten(vars);
    }
    return answer(root, variables, agents);
  }

  /** The answer's choices beyond the variables: {@code decline}, {@code agent}, {@code metadata}. */
  private static Verdict answer(JsonNode root, Map<String, String> variables, Set<String> agents) {
    JsonNode decline = present(root.get("decline"));
    JsonNode agent = present(root.get("agent"));
    JsonNode metadata = present(root.get("metadata"));
    if (decline == null && agent == null && metadata == null) {
      return Verdict.success(variables);
    }
    Optional<WebhookResult.Decline> declined = Optional.empty();
    if (decline != null) {
      if (!decline.isObject()) {
        return Verdict.failure(FailureReason.BAD_ANSWER, "decline is a JSON " + kind(decline) + ", expected an object");
      }
      JsonNode sipStatus = present(decline.get("status"));
      JsonNode reason = present(decline.get("reason"));
      if (sipStatus != null
          && !(sipStatus.isInt() && WebhookResult.Decline.STATUSES.contains(sipStatus.intValue()))) {
        return Verdict.failure(FailureReason.BAD_ANSWER,
            "decline.status must be 403, 404, 480, 486 or 603, got " + clean(sipStatus.toString(), 20));
      }
      if (reason != null && (!reason.isTextual() || reason.textValue().length() > WebhookResult.Decline.MAX_REASON)) {
        return Verdict.failure(FailureReason.BAD_ANSWER,
            "decline.reason must be a string of at most " + WebhookResult.Decline.MAX_REASON + " characters");
      }
      declined = Optional.of(new WebhookResult.Decline(sipStatus == null ? 603 : sipStatus.intValue(),
          reason == null ? "" : clean(reason.textValue(), WebhookResult.Decline.MAX_REASON).strip()));
    }
    Optional<String> chosen = Optional.empty();
    if (agent != null && declined.isEmpty()) {
      if (!agent.isTextual() || agent.textValue().isEmpty()) {
        return Verdict.failure(FailureReason.BAD_ANSWER, "agent is a JSON " + kind(agent) + ", expected a name");
      }
      if (!agents.contains(agent.textValue())) {
        return Verdict.failure(FailureReason.UNKNOWN_AGENT,
            "agent \"" + clean(agent.textValue(), 60) + "\" is not a configured agent");
      }
      chosen = Optional.of(agent.textValue());
    }
    if (metadata != null && !metadata.isObject()) {
      return Verdict.failure(FailureReason.BAD_ANSWER, "metadata is a JSON " + kind(metadata) + ", expected an object");
    }
    return Verdict.success(new WebhookResult.Answer(variables, chosen, declined,
        Optional.ofNullable(metadata).map(JsonNode::toString)));
  }

  private static JsonNode present(JsonNode n) {
    return n == null || n.isNull() ? null : n;
  }

  /**
   * Strings are kept; numbers and booleans become their text; nulls are dropped; nested objects
   * and arrays become their compact JSON text.
   */
  static Map<String, String> flatten(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      JsonNode v = e.getValue();
      if (v.isNull()) {
        continue;
      }
      String text;
      if (v.isTextual()) {
        text = v.textValue();
      } else if (v.isBigDecimal()) {
        text = v.decimalValue().toString();
      } else if (v.isValueNode()) {
        text = v.asText();
      } else {
        text = v.toString();
      }
      out.put(e.getKey(), text);
    }
    return Collections.unmodifiableMap(out);
  }

  private static String statusDetail(Response r) {
    StringBuilder sb = new StringBuilder("HTTP ").append(r.status());
    if (r.status() >= 300 && r.status() <= 399) {
      sb.append(", redirects are not followed");
      if (r.location() != null) {
        sb.append(", Location: ").append(clean(r.location(), 200));
      }
    } else if (!isBlank(r.body())) {
      sb.append(": ").append(snippet(r.body()));
    }
    return sb.toString();
  }

  private static String contentTypeNote(Response r) {
    return r.contentType() == null ? "" : " (Content-Type: " + clean(r.contentType(), 80) + ")";
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "array";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return true;
  }

  /** The start of a body for a log line: bounded, one line, no control characters. */
  static String snippet(byte[] body) {
    int n = Math.min(body.length, SNIPPET_CHARS * 4);
    String s = new String(body, 0, n, StandardCharsets.UTF_8).strip();
    String cleaned = clean(s, SNIPPET_CHARS);
    boolean truncated = n < body.length || cleaned.length() < s.length();
    return "\"" + cleaned + (truncated ? "…\"" : "\"");
  }

  private static String clean(String s, int max) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && sb.length() < max; i++) {
      char c = s.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    return sb.toString();
  }
}
