package io.ringhook.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringhook.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A real HTTP client for ringhook's admin API, as an operator's script would use it. */
final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Optional<String> token;

  /** What came back. */
  record Reply(int status, String body, HttpResponse<String> response) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    Optional<String> header(String name) {
      return response.headers().firstValue(name);
    }
  }

  AdminClient(int port, Optional<String> token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  Reply get(String path) {
    return send(request(path).GET());
  }

  Reply put(String path, String json) {
    return send(request(path).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  Reply post(String path) {
    return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  Reply delete(String path) {
    return send(request(path).DELETE());
  }

  /** Polls {@code path} until it answers {@code status} (records are written asynchronously). */
  Reply await(String path, int status, Duration timeout) throws InterruptedException {
    java.util.concurrent.atomic.AtomicReference<Reply> last = new java.util.concurrent.atomic.AtomicReference<>();
    Await.until(() -> "GET " + path + " answering " + status + ", still " + last.get().status() + ": "
        + last.get().body(), timeout, () -> {
          last.set(get(path));
          return last.get().status() == status;
        });
    return last.get();
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
    return b;
  }

  private Reply send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body(), r);
    } catch (IOException e) {
      throw new AssertionError("admin request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
