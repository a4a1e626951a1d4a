package io.ringhook.server.admin;

import io.ringhook.server.http.HttpReply;
import java.util.Map;

/** A request the admin API refuses, with the status and the message that says what to fix. */
final class ApiError extends RuntimeException {
  private final int status;
  private final Map<String, String> headers;

  ApiError(int status, String message) {
    this(status, message, Map.of());
  }

  ApiError(int status, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, message);
  }

  HttpReply reply() {
    HttpReply r = HttpReply.error(status, getMessage());
    for (Map.Entry<String, String> h : headers.entrySet()) {
      r = r.withHeader(h.getKey(), h.getValue());
    }
    return r;
  }
}
