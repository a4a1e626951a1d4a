package io.ringhook.server.admin;

import io.ringhook.server.peers.LogCapture;
import static io.ringhook.server.admin.AdminFixture.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz}, {@code /readyz} and {@code /metrics} over real HTTP. */
class AdminHealthTest {
  @TempDir
  Path dir;

  @Test
  void healthIsPlainOk() throws Exception {
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.defaults())) {
      HttpResponse<String> r = f.get("/healthz");
      assertEquals(200, r.statusCode());
      assertEquals("ok\n", r.body());
      assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
      HttpResponse<String> post = f.send("POST", "/healthz", "");
      assertEquals(405, post.statusCode());
      assertEquals("GET", post.headers().firstValue("allow").orElseThrow());
    }
  }

  @Test
  void readyWhenTheCheckHasNoReasonsAndItRunsOffTheEventLoop() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.readiness(() -> {
      threads.add(Thread.currentThread().getName());
      return List.of();
    }))) {
      HttpResponse<String> r = f.get("/readyz");
      assertEquals(200, r.statusCode());
      assertEquals("{\"ready\":true,\"reasons\":[]}", r.body());
      assertEquals(List.of("admin-test-blocking"), threads);
    }
  }

  @Test
  void notReadyIs503WithTheReasons() throws Exception {
    List<String> reasons = new CopyOnWriteArrayList<>(List.of("draining", "records database unreachable"));
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.readiness(() -> List.copyOf(reasons)))) {
      HttpResponse<String> r = f.get("/readyz");
      assertEquals(503, r.statusCode());
      assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
      assertEquals("{\"ready\":false,\"reasons\":[\"draining\",\"records database unreachable\"]}", r.body());
      reasons.clear();
      assertEquals(200, f.get("/readyz").statusCode());
    }
  }

  @Test
  void aFailingCheckIsNotReady() throws Exception {
    try (LogCapture logs = LogCapture.of(AdminApi.class);
         AdminFixture f = new AdminFixture(dir, AdminFixture.readiness(() -> {
           throw new IllegalStateException("sip socket gone");
         }))) {
      HttpResponse<String> r = f.get("/readyz");
      assertEquals(503, r.statusCode());
      assertTrue(r.body().contains("sip socket gone"), r.body());
      assertEquals(java.util.List.of("WARN the readiness check failed [java.lang.IllegalStateException]"),
          logs.atLeast(ch.qos.logback.classic.Level.WARN));
    }
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    String scrape = "# HELP ringhook_calls_total Calls by outcome\n# TYPE ringhook_calls_total counter\n"
        + "ringhook_calls_total{outcome=\"connected\"} 3.0\n";
    try (AdminFixture f = new AdminFixture(dir, b -> b.metrics(() -> scrape))) {
      HttpResponse<String> r = f.get("/metrics");
      assertEquals(200, r.statusCode());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
      assertEquals(scrape, r.body());
      HttpResponse<String> put = f.send("PUT", "/metrics", "");
      assertEquals(405, put.statusCode());
      assertEquals("PUT is not allowed here; use GET", error(put));
    }
  }

  @Test
  void aFailingScrapeIs500Json() throws Exception {
    try (LogCapture logs = LogCapture.of("io.ringhook.server.http.Router");
         AdminFixture f = new AdminFixture(dir, b -> b.metrics(() -> {
           throw new IllegalStateException("registry closed");
         }))) {
      HttpResponse<String> r = f.get("/metrics");
      assertEquals(500, r.statusCode());
      assertEquals("internal error (see ringhook's log)", error(r));
      // The detail is in the log, with its stack trace, not in the response.
      assertEquals(java.util.List.of("WARN HTTP request failed inside ringhook [java.lang.IllegalStateException]"),
          logs.atLeast(ch.qos.logback.classic.Level.WARN));
    }
  }
}
