package io.ringhook.server.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The plain HTTP endpoints of the HTTP port (everything but its WebSocket paths): a request in, a
 * reply later. {@link #handle} runs on the connection's event loop and must not block; work that
 * blocks goes to another executor and completes the stage from there, and {@link HttpFrontend}
 * writes the reply back on the connection's event loop. Requests on one connection are answered
 * in order: the next is handed over only once the previous reply is written.
 */
@FunctionalInterface
public interface HttpRoutes {

  /** The reply to {@code request}, every path included (unknown ones get a 404 here too). */
  CompletionStage<HttpReply> handle(HttpRequestView request);

  /** Only {@code GET /healthz}; every other path is a JSON 404. */
  static HttpRoutes healthOnly() {
    return request -> {
      if (request.path().equals("/healthz")) {
        return CompletableFuture.completedFuture(HttpReply.text(200, "ok\n"));
      }
      return CompletableFuture.completedFuture(HttpReply.error(404, "no such endpoint: " + request.path()));
    };
  }
}
