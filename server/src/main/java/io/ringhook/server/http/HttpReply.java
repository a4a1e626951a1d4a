package io.ringhook.server.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP reply to send: status, content type, body and any extra headers ({@code Allow},
 * {@code WWW-Authenticate}, ...). Content-Length and Connection are set when it is written.
 *
 * @param status      the HTTP status
 * @param contentType the body's media type; empty for a reply without a body (204)
 * @param body        the body, UTF-8
 * @param headers     extra response headers by name
 * @param stream      for a {@code text/event-stream} reply, what feeds it (the body is then empty and
 *                    the connection stays open until either side closes it)
 */
public record HttpReply(int status, String contentType, String body, Map<String, String> headers,
                        Optional<EventStream> stream) {
  public HttpReply {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be 100..599, got " + status);
    }
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    Objects.requireNonNull(stream, "stream");
  }

  /** A reply with a body. */
  public HttpReply(int status, String contentType, String body, Map<String, String> headers) {
    this(status, contentType, body, headers, Optional.empty());
  }

  /** A 200 {@code text/event-stream} reply fed by {@code stream}. */
  public static HttpReply events(EventStream stream) {
    return new HttpReply(200, "text/event-stream", "", Map.of(), Optional.of(stream));
  }

  /** A 303 See Other to {@code location} (after a form post, or to the login page). */
  public static HttpReply redirect(String location) {
    return new HttpReply(303, "", "", Map.of("Location", location));
  }

  /** A plain-text reply. */
  public static HttpReply text(int status, String body) {
    return new HttpReply(status, "text/plain; charset=utf-8", body, Map.of());
  }

  /** A JSON reply; {@code json} is already-encoded JSON text. */
  public static HttpReply json(int status, String json) {
    return new HttpReply(status, "application/json", json, Map.of());
  }

  /** The JSON error reply {@code {"error": message}}. */
  public static HttpReply error(int status, String message) {
    return json(status, "{\"error\":\"" + Responses.jsonEscape(message) + "\"}");
  }

  /** A reply without a body: 204 No Content. */
  public static HttpReply noContent() {
    return new HttpReply(204, "", "", Map.of());
  }

  /** This reply with one more header. */
  public HttpReply withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpReply(status, contentType, body, h, stream);
  }
}
