package io.ringhook.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of every request ringhook sends to a customer (the inbound call webhook and the
 * post-call event): {@code X-Ringhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>}, as docs/webhook.md tells receivers to verify it. Code outside this module
 * signs through {@link WebhookFormat#signature}.
 */
final class Signatures {
  /** The header that carries the signature. */
  static final String HEADER = "X-Ringhook-Signature";

  private Signatures() {}

  /** The header value for {@code body} signed with {@code secret} at {@code unixSeconds}. */
  static String sign(String secret, long unixSeconds, byte[] body) {
    Objects.requireNonNull(secret, "secret");
    return sign(key(secret), unixSeconds, body);
  }

  static SecretKeySpec key(String secret) {
    return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  static String sign(SecretKeySpec key, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      mac.update(body);
      return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
