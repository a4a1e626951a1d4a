package io.ringhook.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netty.handler.codec.http.FullHttpRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookMessageTest {

  @Test
  void extraFieldsFollowTheDocumentedThree() {
    java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
    extra.put("sip_headers", java.util.Map.of("X-Score", "0.9"));
    extra.put("call_id", "c1");
    assertEquals("{\"event\":\"inbound_call\",\"from_number\":\"+12345678912\",\"to_number\":\"+12345678913\","
            + "\"sip_headers\":{\"X-Score\":\"0.9\"},\"call_id\":\"c1\"}",
        new String(WebhookMessage.body("+12345678912", "+12345678913", extra), StandardCharsets.UTF_8));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new WebhookRequest("c1",
        "+1", "+2", java.net.URI.create("http://h/"), null, false, java.util.Set.of(), java.util.Map.of("event", "x")));
  }

  @Test
  void bodyIsExactlyTheDocumentedOneWithJsonEscaping() {
    assertEquals(
        "{\"event\":\"inbound_call\",\"from_number\":\"+12345678912\",\"to_number\":\"+12345678913\"}",
        new String(WebhookMessage.body("+12345678912", "+12345678913"), StandardCharsets.UTF_8));
    assertEquals(
        "{\"event\":\"inbound_call\",\"from_number\":\"a\\\"b\\\\c\\n\",\"to_number\":\"Zoë\"}",
        new String(WebhookMessage.body("a\"b\\c\n", "Zoë"), StandardCharsets.UTF_8));
  }

  @Test
  void signatureMatchesAKnownVector() {
    // echo -n '1700000000.{"event":"inbound_call","from_number":"+12345678912","to_number":"+12345678913"}'
    //   | openssl dgst -sha256 -hmac whsec_test
    byte[] body = WebhookMessage.body("+12345678912", "+12345678913");
    assertEquals(
        "t=1700000000,v1=" + KNOWN_HMAC,
        WebhookMessage.signature("whsec_test", 1700000000L, body));
  }

  @Test
  void theExampleInDocsWebhookMdIsWhatTheClientSends() {
    byte[] body = WebhookMessage.body("+12345678912", "+12345678913");
    assertEquals(80, body.length);
    assertEquals(
        "t=1717243200,v1=b8ee6eec04fd8d4c54bb57e4da1ab7bbfce0ff06bcc103c07851ea1153b43365",
        WebhookMessage.signature("whsec_test", 1717243200L, body));
    assertEquals("ac558255-4581-3828-8056-fc098d4ce734",
        WebhookMessage.idempotencyKey("a84b4c76e66710@198.51.100.7"));
  }

  static final String KNOWN_HMAC = "fcdeeae6b811b12420efbc3ba5c193d042a309a2a66aa7ebd970f7d5dfc5d26f";

  @Test
  void idempotencyKeyIsStablePerCallAndDiffersBetweenCalls() {
    assertEquals(WebhookMessage.idempotencyKey("abc@h"), WebhookMessage.idempotencyKey("abc@h"));
    assertNotEquals(WebhookMessage.idempotencyKey("abc@h"), WebhookMessage.idempotencyKey("abd@h"));
    assertEquals(36, WebhookMessage.idempotencyKey("abc@h").length());
  }

  @Test
  void requestCarriesTheHeadersAndATimestampPerAttempt() {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(1700000000L));
    WebhookRequest r =
        new WebhookRequest("c1", "+1", "+2", URI.create("https://h.example:8443"), "k");
    WebhookMessage m = new WebhookMessage(r, Origin.of(r.url()), "ringhook/9", clock);

    FullHttpRequest first = m.request(1);
    clock.now = Instant.ofEpochSecond(1700000007L);
    FullHttpRequest second = m.request(2);

    assertEquals("/", first.uri());
    assertEquals("h.example:8443", first.headers().get("Host"));
    assertEquals(
        List.of("Host", "User-Agent", "Content-Type", "Accept", "Content-Length",
            "X-Ringhook-Call-Id", "X-Ringhook-Attempt", "Idempotency-Key", "X-Ringhook-Signature"),
        first.headers().entries().stream().map(e -> e.getKey()).toList());
    assertEquals("1", first.headers().get("X-Ringhook-Attempt"));
    assertEquals("2", second.headers().get("X-Ringhook-Attempt"));
    assertEquals(WebhookMessage.signature("k", 1700000000L, m.body()),
        first.headers().get("X-Ringhook-Signature"));
    assertEquals(WebhookMessage.signature("k", 1700000007L, m.body()),
        second.headers().get("X-Ringhook-Signature"));
    first.release();
    second.release();
  }

  @Test
  void hostHeaderOmitsDefaultPortsAndBracketsIpv6() {
    assertEquals("example.com", Origin.of(URI.create("https://Example.com/x")).hostHeader());
    assertEquals("example.com:80", Origin.of(URI.create("https://example.com:80/x")).hostHeader());
    assertEquals("[::1]:8080", Origin.of(URI.create("http://[::1]:8080/")).hostHeader());
    assertEquals("::1", Origin.of(URI.create("http://[::1]:8080/")).host());
  }

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
