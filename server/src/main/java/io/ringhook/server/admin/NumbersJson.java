package io.ringhook.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringhook.server.records.NumberEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The JSON of {@code /v1/numbers}: effective numbers out (never a secret), a number's run-time settings in. */
final class NumbersJson {
  static final String URL = "inbound_webhook_url";
  static final String SECRET = "webhook_secret";
  static final String AGENT = "agent";
  static final String KEEP_SECRET = "keep_webhook_secret";
  private static final List<String> FIELDS = List.of(URL, SECRET, AGENT, KEEP_SECRET);

  private NumbersJson() {}

  /** One number as the API shows it: whether a secret is set, never the secret. */
  static ObjectNode number(EffectiveNumber n) {
    ObjectNode o = Json.object();
    o.put("number", n.number());
    if (n.webhookUrl().isPresent()) {
      o.put(URL, n.webhookUrl().get().toString());
    } else {
      o.putNull(URL);
    }
    o.put("webhook_secret_set", n.secret().isPresent());
    o.put(AGENT, n.agent());
    o.put("source", n.source().json());
    n.updated().ifPresent(u -> o.put("updated", u.toString()));
    return o;
  }

  /**
   * One number with how its webhook is called ({@code webhook_policy}: timeout, retries, backoff,
   * failure response; the file's entry for the number or the {@code webhook} section, never set
   * through the API): what {@code GET /v1/numbers/{e164}} returns.
   */
  static ObjectNode detail(EffectiveNumber n) {
    ObjectNode o = number(n);
    ObjectNode p = o.putObject("webhook_policy");
    p.put("timeout_ms", n.webhook().timeout().toMillis());
    p.put("retries", n.webhook().retries());
    ArrayNode b = p.putArray("backoff_ms");
    n.webhook().backoff().forEach(d -> b.add(d.toMillis()));
    p.put("failure_response", n.webhook().failureResponse());
    return o;
  }

  /** {@code {"numbers": [...]}}. */
  static ObjectNode list(Collection<EffectiveNumber> numbers) {
    ObjectNode o = Json.object();
    ArrayNode a = o.putArray("numbers");
    numbers.forEach(n -> a.add(number(n)));
    return o;
  }

  /**
   * The run-time entry a PUT body asks for: {@code {"inbound_webhook_url"?, "webhook_secret"?,
   * "agent"?, "keep_webhook_secret"?}}, each optional (null counts as absent); every problem is
   * named in one 400. {@code keep_webhook_secret: true} keeps {@code currentSecret} (the number's
   * secret now), so a client that never sees secrets can change the rest.
   */
  static NumberEntry entry(String e164, byte[] body, Set<String> agents, Instant now,
                           Optional<String> currentSecret) {
    JsonNode tree = Json.parse(body);
    if (!tree.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object like {\"" + URL
          + "\":\"https://example.com/hook\",\"agent\":\"demo\"}, not " + kind(tree));
    }
    List<String> problems = new ArrayList<>();
    for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        problems.add("unknown field " + f + Checks.hint(f, FIELDS) + "; the fields are " + String.join(", ", FIELDS));
      }
    }
    Optional<String> url = text(tree, URL, problems);
    url.ifPresent(u -> {
      try {
        Checks.httpUrl(u);
      } catch (IllegalArgumentException e) {
        problems.add(URL + " " + e.getMessage());
      }
    });
    Optional<String> secret = text(tree, SECRET, problems);
    secret.ifPresent(s -> {
      if (s.isEmpty()) {
        problems.add(SECRET + " must not be empty: leave it out (or null) for unsigned requests");
      } else if (s.length() > Checks.MAX_SECRET_LENGTH) {
        problems.add(SECRET + " is longer than " + Checks.MAX_SECRET_LENGTH + " characters");
      }
    });
    JsonNode keep = tree.get(KEEP_SECRET);
    boolean keepSecret = false;
    if (keep != null && !keep.isNull()) {
      if (!keep.isBoolean()) {
        problems.add(KEEP_SECRET + " must be true or false, not " + kind(keep));
      } else if (keep.booleanValue() && secret.isPresent()) {
        problems.add(KEEP_SECRET + " and " + SECRET + " cannot both be given: send the new secret, or keep the old one");
      } else {
        keepSecret = keep.booleanValue();
      }
    }
    Optional<String> agent = text(tree, AGENT, problems);
    agent.ifPresent(a -> {
      if (!agents.contains(a)) {
        problems.add(AGENT + " " + a + " is not configured" + Checks.hint(a, agents) + "; the agents are "
            + String.join(", ", agents));
      }
    });
    if (!problems.isEmpty()) {
      throw ApiError.badRequest(String.join("; ", problems));
    }
    return new NumberEntry(e164, url, keepSecret ? currentSecret : secret, agent, now);
  }

  private static Optional<String> text(JsonNode tree, String field, List<String> problems) {
    JsonNode v = tree.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      problems.add(field + " must be a string, not " + kind(v));
      return Optional.empty();
    }
    return Optional.of(v.textValue());
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case STRING -> "a string";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
