package io.ringhook.webhook;

/**
 * The inbound call webhook's wire format for code outside this module that must speak it exactly
 * as calls do (the console's "Send test webhook"): the body, the header names and the signature.
 */
public final class WebhookFormat {
  public static final String CALL_ID_HEADER = WebhookMessage.CALL_ID_HEADER;
  public static final String ATTEMPT_HEADER = WebhookMessage.ATTEMPT_HEADER;
  public static final String IDEMPOTENCY_HEADER = WebhookMessage.IDEMPOTENCY_HEADER;
  public static final String SIGNATURE_HEADER = WebhookMessage.SIGNATURE_HEADER;

  private WebhookFormat() {}

  /** The body, exactly {@code {"event":"inbound_call","from_number":"…","to_number":"…"}}. */
  public static byte[] body(String fromNumber, String toNumber) {
    return WebhookMessage.body(fromNumber, toNumber);
  }

  /** The signature header's value, {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>}. */
  public static String signature(String secret, long unixSeconds, byte[] body) {
    return WebhookMessage.signature(secret, unixSeconds, body);
  }

  /** The {@code Idempotency-Key} of a call's requests. */
  public static String idempotencyKey(String callId) {
    return WebhookMessage.idempotencyKey(callId);
  }
}
