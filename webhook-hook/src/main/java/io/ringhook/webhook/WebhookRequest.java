package io.ringhook.webhook;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One inbound call to ask a webhook about: who calls whom, the call's id, where to POST and,
 * optionally, the secret that signs the request.
 *
 * @param callId     the call's id, sent as {@code X-Ringhook-Call-Id} and the seed of the
 *                   {@code Idempotency-Key}; printable ASCII without spaces, at most 256 chars
 * @param fromNumber the caller, sent as {@code from_number} (E.164, or {@code anonymous})
 * @param toNumber   the dialed number, sent as {@code to_number}
 * @param url        an absolute {@code http} or {@code https} URL (see {@link #checkUrl})
 * @param secret     the signing secret, or {@code null} to send unsigned requests
 * @param h2c        speak HTTP/2 without TLS by prior knowledge to an {@code http} URL (the endpoint
 *                   must support it); ignored for {@code https}, where ALPN picks HTTP/2 or HTTP/1.1
 * @param agents     the agent names an answer's {@code agent} may choose; another name fails the attempt
 * @param extra      fields added to the body after the three documented ones (strings, or maps of
 *                   strings), e.g. {@code call_id}; empty for the documented body exactly
 */
public record WebhookRequest(
    String callId, String fromNumber, String toNumber, URI url, String secret, boolean h2c, Set<String> agents,
    Map<String, Object> extra) {

  static final int MAX_CALL_ID_LENGTH = 256;
  private static final Set<String> BODY_FIELDS = Set.of("event", "from_number", "to_number");

  /** A request with the documented body and no agent an answer may choose. */
  public WebhookRequest(String callId, String fromNumber, String toNumber, URI url, String secret, boolean h2c) {
    this(callId, fromNumber, toNumber, url, secret, h2c, Set.of(), Map.of());
  }

  public WebhookRequest {
    agents = Set.copyOf(agents);
    extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    for (String k : extra.keySet()) {
      if (BODY_FIELDS.contains(k)) {
        throw new IllegalArgumentException("extra field " + k + " would replace a documented body field");
      }
    }
    Objects.requireNonNull(callId, "callId must not be null");
    Objects.requireNonNull(fromNumber, "fromNumber must not be null");
    Objects.requireNonNull(toNumber, "toNumber must not be null");
    if (callId.isEmpty() || callId.length() > MAX_CALL_ID_LENGTH) {
      throw new IllegalArgumentException(
          "callId must be 1 to " + MAX_CALL_ID_LENGTH + " characters, got " + callId.length());
    }
    for (int i = 0; i < callId.length(); i++) {
      char c = callId.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        // It travels in a header: a CR/LF here would be header injection.
        throw new IllegalArgumentException(
            "callId must be printable ASCII without spaces (it is sent as a header), got a "
                + String.format("U+%04X at index %d", (int) c, i));
      }
    }
    if (fromNumber.isBlank()) {
      throw new IllegalArgumentException("fromNumber must not be blank (use \"anonymous\")");
    }
    if (toNumber.isBlank()) {
      throw new IllegalArgumentException("toNumber must not be blank");
    }
    checkUrl(url);
    if (secret != null && secret.isEmpty()) {
      throw new IllegalArgumentException(
          "secret must not be empty (pass null to send unsigned requests)");
    }
  }

  /** A request over HTTP/1.1 for {@code http} URLs (ALPN decides for {@code https}). */
  public WebhookRequest(String callId, String fromNumber, String toNumber, URI url, String secret) {
    this(callId, fromNumber, toNumber, url, secret, false);
  }

  /** A request sent without a signature. */
  public static WebhookRequest unsigned(
      String callId, String fromNumber, String toNumber, URI url) {
    return new WebhookRequest(callId, fromNumber, toNumber, url, null);
  }

  /** The signing secret, when requests are signed. */
  public Optional<String> signingSecret() {
    return Optional.ofNullable(secret);
  }

  /**
   * Checks that a webhook URL can be called, so configuration can be validated at start-up.
   *
   * @return the same URL
   * @throws IllegalArgumentException naming what is wrong: not absolute, scheme other than http
   *     or https, no (valid) host, a bad port, or credentials in the URL
   */
  public static URI checkUrl(URI url) {
    Objects.requireNonNull(url, "url must not be null");
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "url must not carry credentials (use webhook_secret to authenticate requests): "
              + url.getScheme() + "://" + url.getHost() + "/...");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("url must be an absolute http or https URL, got " + url);
    }
    if (url.isOpaque() || url.getHost() == null || url.getHost().isEmpty()) {
      throw new IllegalArgumentException("url has no valid host name: " + url);
    }
    if (url.getPort() == 0 || url.getPort() > 65535) {
      throw new IllegalArgumentException("url has an invalid port: " + url);
    }
    return url;
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "WebhookRequest[callId=" + callId + ", fromNumber=" + fromNumber + ", toNumber="
        + toNumber + ", url=" + url + ", secret=" + (secret == null ? "none" : "***")
        + (h2c ? ", h2c" : "") + "]";
  }
}
