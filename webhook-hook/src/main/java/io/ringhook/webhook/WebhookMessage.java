package io.ringhook.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HTTP request of one call's webhook, built once and stamped per attempt: the documented body
 * plus the metadata headers and, when a secret is set, the signature.
 */
final class WebhookMessage {

  static final String CALL_ID_HEADER = "X-Ringhook-Call-Id";
  static final String ATTEMPT_HEADER = "X-Ringhook-Attempt";
  static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  static final String SIGNATURE_HEADER = Signatures.HEADER;
  static final String EVENT = "inbound_call";

  private final String callId;
  private final String target;
  private final String hostHeader;
  private final String userAgent;
  private final String idempotencyKey;
  private final byte[] body;
  private final SecretKeySpec key;
  private final Clock clock;

  WebhookMessage(WebhookRequest request, Origin origin, String userAgent, Clock clock) {
    this.callId = request.callId();
    this.target = requestTarget(request.url());
    this.hostHeader = origin.hostHeader();
    this.userAgent = userAgent;
    this.idempotencyKey = idempotencyKey(request.callId());
    this.body = body(request.fromNumber(), request.toNumber(), request.extra());
    this.key = request.secret() == null ? null : Signatures.key(request.secret());
    this.clock = clock;
  }

  /** The raw body, identical on every attempt. */
  byte[] body() {
    return body.clone();
  }

  String idempotencyKey() {
    return idempotencyKey;
  }

  /** The request target, path and query: an endpoint, the unit of fairness in a full pool. */
  String target() {
    return target;
  }

  /** The request of one attempt; the signature's timestamp is taken now. */
  FullHttpRequest request(int attempt) {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, target, Unpooled.wrappedBuffer(body));
    HttpHeaders h = req.headers();
    // Spelled as in the docs (Netty's constants are lower case; HTTP does not mind either way).
    h.set("Host", hostHeader);
    h.set("User-Agent", userAgent);
    h.set("Content-Type", "application/json");
    h.set("Accept", "application/json");
    h.set("Content-Length", body.length);
    h.set(CALL_ID_HEADER, callId);
    h.set(ATTEMPT_HEADER, attempt);
    h.set(IDEMPOTENCY_HEADER, idempotencyKey);
    if (key != null) {
      h.set(SIGNATURE_HEADER, Signatures.sign(key, clock.instant().getEpochSecond(), body));
    }
    return req;
  }

  /** The body, exactly {@code {"event":"inbound_call","from_number":"…","to_number":"…"}}. */
  static byte[] body(String fromNumber, String toNumber) {
    return body(fromNumber, toNumber, Map.of());
  }

  /** The documented body, then the {@code extra} fields the number asked for ({@code webhook_include}). */
  static byte[] body(String fromNumber, String toNumber, Map<String, Object> extra) {
    ObjectMapper mapper = Json.MAPPER;
    ObjectNode node = mapper.createObjectNode();
    node.put("event", EVENT);
    node.put("from_number", fromNumber);
    node.put("to_number", toNumber);
    extra.forEach((k, v) -> node.set(k, mapper.valueToTree(v)));
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen: strings and maps of strings always serialise", e);
    }
  }

  /**
   * The signature header value: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>}.
   */
  static String signature(String secret, long unixSeconds, byte[] body) {
    return Signatures.sign(secret, unixSeconds, body);
  }

  /**
   * The same key on every attempt for one call, and for every client restart: a name-based UUID
   * of the call id, so receivers can deduplicate retries without keeping our call ids.
   */
  static String idempotencyKey(String callId) {
    return UUID.nameUUIDFromBytes(("ringhook:inbound_call:" + callId).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private static String requestTarget(URI url) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
  }
}
