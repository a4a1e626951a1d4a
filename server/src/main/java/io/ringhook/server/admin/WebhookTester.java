package io.ringhook.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringhook.server.config.Secret;
import io.ringhook.server.http.HttpReply;
import io.ringhook.webhook.WebhookFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * "Send test webhook": one sample {@code inbound_call} POSTed to a number's webhook URL with the
 * headers and signature of a real call plus {@code X-Ringhook-Test: true}, and what came back
 * (status, latency, headers, body) as JSON. It never touches a call, its records or the metrics.
 */
final class WebhookTester {
  static final String TEST_HEADER = "X-Ringhook-Test";
  /** The caller of every test request: a number reserved for fiction, never a real caller. */
  static final String SAMPLE_FROM = "+15005550006";
  static final int MAX_BODY_SHOWN = 16 * 1024;

  private final Executor executor;
  private HttpClient http; // made on first use: it starts a selector thread
  private final Clock clock;
  private final String userAgent;
  private final SecureRandom random = new SecureRandom();

  /** @param executor where the response body is read (it may block until the deadline) */
  WebhookTester(Executor executor, Clock clock, String userAgent) {
    this.executor = executor;
    this.clock = clock;
    this.userAgent = userAgent;
  }

  /** Sends the test request for {@code n}; a 400 when it has no webhook URL. */
  CompletionStage<HttpReply> send(EffectiveNumber n) {
    URI url = n.webhookUrl().orElseThrow(() -> ApiError.badRequest(
        n.number() + " has no inbound_webhook_url: its calls connect straight to the agent, there is nothing to test"));
    byte[] body = WebhookFormat.body(SAMPLE_FROM, n.number());
    String callId = "test-" + HexFormat.of().formatHex(randomBytes());
    Duration timeout = n.webhook().timeout();
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("User-Agent", userAgent)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header(WebhookFormat.CALL_ID_HEADER, callId)
        .header(WebhookFormat.ATTEMPT_HEADER, "1")
        .header(WebhookFormat.IDEMPOTENCY_HEADER, WebhookFormat.idempotencyKey(callId))
        .header(TEST_HEADER, "true");
    n.secret().map(Secret::value).ifPresent(s -> b.header(WebhookFormat.SIGNATURE_HEADER,
        WebhookFormat.signature(s, clock.instant().getEpochSecond(), body)));
    HttpRequest request = b.build();
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<InputStream>> sent;
    try {
      sent = client().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("the webhook URL cannot be requested: " + e.getMessage());
    }
    return sent.thenApplyAsync(r -> answered(request, body, r, start), executor)
        .exceptionally(e -> failed(request, body, e, start, timeout));
  }

  private synchronized HttpClient client() {
    if (http == null) {
      http = HttpClient.newBuilder().executor(executor).followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1).build();
    }
    return http;
  }

  private HttpReply answered(HttpRequest request, byte[] sentBody, HttpResponse<InputStream> r, long start) {
    byte[] got;
    try (InputStream in = r.body()) {
      got = in.readNBytes(MAX_BODY_SHOWN + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode o = sent(request, sentBody);
    o.put("status", r.statusCode());
    o.put("latency_ms", (System.nanoTime() - start) / 1_000_000);
    ObjectNode h = o.putObject("headers");
    new TreeMap<>(r.headers().map()).forEach((k, v) -> h.put(k, String.join(", ", v)));
    boolean truncated = got.length > MAX_BODY_SHOWN;
    o.put("body", new String(got, 0, Math.min(got.length, MAX_BODY_SHOWN), StandardCharsets.UTF_8));
    o.put("body_truncated", truncated);
    o.put("succeeded", r.statusCode() / 100 == 2);
    o.putNull("error");
    return Json.reply(200, o);
  }

  private HttpReply failed(HttpRequest request, byte[] sentBody, Throwable e, long start, Duration timeout) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    String why;
    if (cause instanceof HttpTimeoutException) {
      why = "timeout: no complete response within " + timeout.toMillis() + " ms";
    } else if (cause instanceof ConnectException) {
      why = "refused: cannot connect to " + request.uri().getHost() + ":" + port(request.uri());
    } else if (cause instanceof IOException || cause instanceof UncheckedIOException) {
      why = "failed: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    } else {
      throw new CompletionException(cause);
    }
    ObjectNode o = sent(request, sentBody);
    o.putNull("status");
    o.put("latency_ms", (System.nanoTime() - start) / 1_000_000);
    o.putObject("headers");
    o.put("body", "");
    o.put("body_truncated", false);
    o.put("succeeded", false);
    o.put("error", why);
    return Json.reply(200, o);
  }

  private static ObjectNode sent(HttpRequest request, byte[] body) {
    ObjectNode o = Json.object();
    o.put("url", request.uri().toString());
    ObjectNode rq = o.putObject("request");
    ObjectNode h = rq.putObject("headers");
    for (Map.Entry<String, List<String>> e : new TreeMap<>(request.headers().map()).entrySet()) {
      h.put(e.getKey(), String.join(", ", e.getValue()));
    }
    rq.put("body", new String(body, StandardCharsets.UTF_8));
    return o;
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return b;
  }
}
