package io.ringhook.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.live.LiveCalls;
import io.ringhook.testing.Await;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's access rules over real HTTP: a loopback browser gets a session without a token; with
 * a token the pages send it to the login form until the token is given there; a session's writes
 * need its CSRF token; writes from another site's page are refused; the live calls stream is
 * {@code text/event-stream} behind the same rules.
 */
@Timeout(30)
class ConsoleAccessTest {
  private static final Pattern COOKIE = Pattern.compile("ringhook_session=([^;]+); Path=/; HttpOnly; SameSite=Strict");
  private static final Pattern CSRF = Pattern.compile("<meta name=\"csrf\" content=\"([^\"]+)\">");

  @TempDir
  Path dir;

  @Test
  void withoutATokenALoopbackBrowserGetsASessionAndItsWritesNeedTheCsrfToken() throws Exception {
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.defaults())) {
      HttpResponse<String> page = f.get("/console/numbers");
      assertEquals(200, page.statusCode(), page.body());
      assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElseThrow());
      assertTrue(page.headers().firstValue("content-security-policy").orElseThrow().contains("default-src 'self'"));
      Matcher cookie = COOKIE.matcher(page.headers().firstValue("set-cookie").orElseThrow());
      assertTrue(cookie.matches(), page.headers().map().toString());
      Matcher csrf = CSRF.matcher(page.body());
      assertTrue(csrf.find(), page.body());
      assertFalse(page.body().contains("+15550000001"), "pages carry no data: their scripts fetch it");
      String session = "ringhook_session=" + cookie.group(1);

      String path = "/v1/numbers/+15550000002";
      assertEquals(403, f.send("PUT", path, "{}", "Cookie", session, "Content-Type", "application/json").statusCode());
      assertEquals(403, f.send("PUT", path, "{}", "Cookie", session, "X-CSRF-Token", "guess").statusCode());
      assertEquals(200, f.send("PUT", path, "{}", "Cookie", session, "X-CSRF-Token", csrf.group(1)).statusCode());
      // Scripts without a cookie are served as before (loopback, no token).
      assertEquals(200, f.put(path, "{}").statusCode());
      // Another site's page cannot write, whatever it carries.
      HttpResponse<String> cross = f.send("PUT", path, "{}", "Origin", "http://evil.example",
          "X-CSRF-Token", csrf.group(1), "Cookie", session);
      assertEquals(403, cross.statusCode());
      assertTrue(AdminFixture.error(cross).contains("another site"), cross.body());
      // The console's own origin may.
      assertEquals(200, f.send("PUT", path, "{}", "Origin", "http://127.0.0.1:" + f.frontend.port(),
          "X-CSRF-Token", csrf.group(1), "Cookie", session).statusCode());

      HttpResponse<String> js = f.get("/console/assets/numbers.js");
      assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("content-type").orElseThrow());
      assertTrue(f.get("/console/vendor/uPlot.esm.js").body().contains("uPlot"));
      assertEquals(404, f.get("/console/assets/../../etc/passwd").statusCode());
      assertEquals(303, f.get("/").statusCode());
    }
  }

  @Test
  void withATokenThePagesNeedALoginAndLogoutEndsTheSession() throws Exception {
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.token("t0ken"))) {
      HttpResponse<String> page = f.get("/console/calls");
      assertEquals(303, page.statusCode());
      assertEquals("/console/login", page.headers().firstValue("location").orElseThrow());
      assertTrue(f.get("/console/login").body().contains("name=\"token\""));
      assertEquals(401, f.get("/v1/numbers", "Cookie", "ringhook_session=forged").statusCode());

      HttpResponse<String> wrong = f.send("POST", "/console/login", "token=nope",
          "Content-Type", "application/x-www-form-urlencoded");
      assertEquals(401, wrong.statusCode());
      assertTrue(wrong.body().contains("Wrong admin token"));
      assertTrue(wrong.headers().firstValue("set-cookie").isEmpty());

      HttpResponse<String> in = f.send("POST", "/console/login", "token=t0ken",
          "Content-Type", "application/x-www-form-urlencoded");
      assertEquals(303, in.statusCode());
      Matcher cookie = COOKIE.matcher(in.headers().firstValue("set-cookie").orElseThrow());
      assertTrue(cookie.matches());
      String session = "ringhook_session=" + cookie.group(1);
      HttpResponse<String> numbers = f.get("/v1/numbers", "Cookie", session);
      assertEquals(200, numbers.statusCode());
      assertFalse(numbers.body().contains("file-secret"), "no secret ever reaches the browser");
      Matcher csrf = CSRF.matcher(f.get("/console/calls", "Cookie", session).body());
      assertTrue(csrf.find());

      assertEquals(403, f.send("POST", "/console/logout", "csrf=guess", "Cookie", session,
          "Content-Type", "application/x-www-form-urlencoded").statusCode());
      HttpResponse<String> out = f.send("POST", "/console/logout", "csrf=" + csrf.group(1), "Cookie", session,
          "Content-Type", "application/x-www-form-urlencoded");
      assertEquals(303, out.statusCode());
      assertTrue(out.headers().firstValue("set-cookie").orElseThrow().contains("Max-Age=0"));
      assertEquals(401, f.get("/v1/numbers", "Cookie", session).statusCode());
    }
  }

  @Test
  void theLiveCallsStreamSendsASnapshotThenEachChange() throws Exception {
    LiveCalls live = new LiveCalls(Clock.systemUTC());
    try (AdminFixture f = new AdminFixture(dir, b -> b.liveCalls(live))) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + f.frontend.port() + "/v1/live-calls/stream")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
      try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        assertEquals("event: snapshot", in.readLine());
        assertTrue(in.readLine().contains("\"calls\":[]"));
        assertEquals("", in.readLine());
        Await.until("the stream to subscribe", Duration.ofSeconds(5), () -> live.subscribers() == 1);
        InboundCall call = new InboundCall("c1", "sip-1", "local", new InetSocketAddress("127.0.0.1", 5060),
            "+12345678912", "+15550000001");
        CompletableFuture<CallDecision> decision = new CompletableFuture<>();
        live.watch((c, hungUp) -> decision, c -> true).decide(call, new CompletableFuture<>());
        assertEquals("event: update", in.readLine());
        String ringing = in.readLine();
        assertTrue(ringing.contains("\"state\":\"ringing\"") && ringing.contains("\"webhook_attempt_in_flight\":1"),
            ringing);
        in.readLine();
        decision.complete(CallDecision.connect(java.util.Map.of()));
        assertEquals("event: update", in.readLine());
        assertTrue(in.readLine().contains("\"state\":\"connecting\""));
        in.readLine();
        live.ended("c1");
        assertEquals("event: ended", in.readLine());
        assertTrue(in.readLine().contains("\"call_id\":\"c1\""));
      }
      assertEquals(200, f.get("/v1/live-calls").statusCode());
    }
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.token("t0ken"))) {
      assertEquals(401, f.get("/v1/live-calls/stream").statusCode());
    }
  }
}
