package io.ringhook.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.ringhook.server.config.ConfigLoader;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.http.HttpFrontend;
import io.ringhook.server.records.JdbcRecordStore;
import io.ringhook.server.records.RecordStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A real admin API for a test: {@link HttpFrontend} on 127.0.0.1 (or another host) port 0 serving
 * {@link AdminApi} over the real {@link JdbcRecordStore} on an SQLite file, and an HTTP client.
 */
final class AdminFixture implements AutoCloseable {
  static final Instant NOW = Instant.parse("2025-01-31T10:42:00Z");
  static final String YAML = """
      agents:
        sales:
          url: ws://127.0.0.1:9/sales
        support:
          url: ws://127.0.0.1:9/support
      numbers:
        "+15550000001":
          inbound_webhook_url: https://file.example.com/hook
          webhook_secret: file-secret
          agent: sales
          webhook_timeout: 5s
          webhook_retries: 1
        "+15550000002": {}
      webhook:
        timeout: 7s
      default_agent: support
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  final RingConfig config;
  final RecordStore store;
  final NumberDirectory numbers;
  final ExecutorService blocking = Executors.newFixedThreadPool(2, r -> new Thread(r, "admin-test-blocking"));
  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  final HttpFrontend frontend;
  final String host;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AdminFixture(Path dir, Consumer<AdminApi.Builder> options) throws Exception {
    this(dir, "127.0.0.1", options);
  }

  AdminFixture(Path dir, String host, Consumer<AdminApi.Builder> options) throws Exception {
    this.config = ConfigLoader.parse(YAML, Map.of());
    this.store = JdbcRecordStore.open("jdbc:sqlite:" + dir.resolve("records.db"), Optional.empty(), Optional.empty());
    this.numbers = new NumberDirectory(config);
    AdminApi.Builder b = AdminApi.builder(numbers, store, blocking).clock(Clock.fixed(NOW, ZoneOffset.UTC));
    options.accept(b);
    this.host = host;
    this.frontend = HttpFrontend.start(host, 0, group, Map.of(), b.build());
  }

  static Consumer<AdminApi.Builder> defaults() {
    return b -> { };
  }

  static Consumer<AdminApi.Builder> token(String token) {
    return b -> b.adminToken(Optional.of(token));
  }

  static Consumer<AdminApi.Builder> readiness(Supplier<List<String>> reasons) {
    return b -> b.readiness(reasons);
  }

  HttpResponse<String> send(String method, String path, String body, String... headers) throws IOException,
      InterruptedException {
    return sendTo(host, method, path, body, headers);
  }

  HttpResponse<String> sendTo(String toHost, String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    String h = toHost.contains(":") ? "[" + toHost + "]" : toHost;
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://" + h + ":" + frontend.port() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    return send("GET", path, null, headers);
  }

  HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
    return send("PUT", path, body, "Content-Type", "application/json");
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send("DELETE", path, null);
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** The error message of a JSON error reply, checking that it is one. */
  static String error(HttpResponse<String> r) throws IOException {
    if (!r.headers().firstValue("content-type").orElse("").equals("application/json")) {
      throw new AssertionError("not JSON: " + r.headers().map() + " " + r.body());
    }
    JsonNode n = json(r);
    if (n.size() != 1 || !n.path("error").isTextual()) {
      throw new AssertionError("not {\"error\": \"...\"}: " + r.body());
    }
    return n.get("error").textValue();
  }

  @Override
  public void close() {
    frontend.close();
    blocking.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    store.close();
  }
}
