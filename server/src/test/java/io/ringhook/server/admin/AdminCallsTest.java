package io.ringhook.server.admin;

import io.ringhook.server.peers.LogCapture;
import static io.ringhook.server.admin.AdminFixture.error;
import static io.ringhook.server.admin.AdminFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.CallDecision;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/calls} over real HTTP, records inserted through the real SQLite store. */
class AdminCallsTest {
  private static final Instant T0 = Instant.parse("2025-01-31T10:00:00Z");

  @TempDir
  Path dir;
  private AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(dir, AdminFixture.defaults());
    List<CallRecord> calls = new ArrayList<>();
    // c00..c09, a minute apart, c09 the newest: from +1555000010x to +15550000001 or +15550000002.
    for (int i = 0; i < 10; i++) {
      String outcome = i % 3 == 0 ? "webhook_failed" : "connected";
      calls.add(call("c0" + i, i == 7 ? "anonymous" : "+1555000010" + i, i % 2 == 0 ? "+15550000001" : "+15550000002",
          T0.plusSeconds(60L * i), outcome));
    }
    f.store.insert(calls);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aRecordShowsEveryField() throws Exception {
    HttpResponse<String> r = f.get("/v1/calls/c01");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(tree("{\"call_id\":\"c01\",\"sip_call_id\":\"sip-c01@192.0.2.9\",\"trunk\":\"carrier-a\","
        + "\"source\":\"192.0.2.9:5060\",\"from_number\":\"+15550000101\",\"to_number\":\"+15550000002\","
        + "\"received\":\"2025-01-31T10:01:00Z\",\"ringing\":\"2025-01-31T10:01:00.010Z\","
        + "\"decided\":\"2025-01-31T10:01:00.900Z\",\"answered\":\"2025-01-31T10:01:01Z\","
        + "\"ended\":\"2025-01-31T10:01:31.500Z\",\"duration_ms\":30500,\"outcome\":\"connected\","
        + "\"final_status\":200,\"ended_by\":\"caller\",\"end_reason\":\"BYE\","
        + "\"variables\":{\"customer\":\"Ada\",\"tier\":\"gold\"},\"agent\":\"sales\",\"webhook_attempts\":["
        + "{\"number\":1,\"started\":\"2025-01-31T10:01:00.020Z\",\"latency_ms\":500,\"status\":null,"
        + "\"failure\":\"timeout\",\"detail\":\"no response within 500ms\"},"
        + "{\"number\":2,\"started\":\"2025-01-31T10:01:00.770Z\",\"latency_ms\":120,\"status\":200,"
        + "\"failure\":null,\"detail\":\"\"}],\"metadata\":null,\"webhook_failure\":null,\"sip_headers\":{},"
        + "\"call_ended\":null}"), json(r));
  }

  @Test
  void aCallNeverAnsweredHasNulls() throws Exception {
    JsonNode c = json(f.get("/v1/calls/c00"));
    assertTrue(c.get("answered").isNull());
    assertTrue(c.get("duration_ms").isNull());
    assertTrue(c.get("agent").isNull());
    assertEquals(480, c.get("final_status").intValue());
    HttpResponse<String> missing = f.get("/v1/calls/nope");
    assertEquals(404, missing.statusCode());
    assertEquals("no call record with id nope", error(missing));
  }

  @Test
  void theListIsNewestFirstAndFilters() throws Exception {
    assertEquals(List.of("c09", "c08", "c07", "c06", "c05", "c04", "c03", "c02", "c01", "c00"), ids("/v1/calls"));
    assertEquals(List.of("c08", "c06", "c04", "c02", "c00"), ids("/v1/calls?to=+15550000001"));
    assertEquals(List.of("c08", "c06", "c04", "c02", "c00"), ids("/v1/calls?to=%2B15550000001"));
    assertEquals(List.of("c03"), ids("/v1/calls?from=+15550000103"));
    assertEquals(List.of("c07"), ids("/v1/calls?from=anonymous"));
    assertEquals(List.of("c09", "c06", "c03", "c00"), ids("/v1/calls?outcome=webhook_failed"));
    assertEquals(List.of("c09", "c08", "c07"), ids("/v1/calls?since=2025-01-31T10:07:00Z"));
    assertEquals(List.of("c09", "c08", "c07"), ids("/v1/calls?since=" + enc("2025-01-31T11:07:00+01:00")));
    assertEquals(List.of("c06"), ids("/v1/calls?outcome=webhook_failed&to=+15550000001&since=2025-01-31T10:01:00Z"
        + "&limit=1"));
    assertEquals(List.of(), ids("/v1/calls?outcome=no_codec"));
    assertTrue(json(f.get("/v1/calls?outcome=no_codec")).get("next_cursor").isNull());
  }

  @Test
  void pagesFollowTheCursorToTheEnd() throws Exception {
    List<String> seen = new ArrayList<>();
    String path = "/v1/calls?limit=3&to=+15550000002";
    int pages = 0;
    while (true) {
      JsonNode page = json(f.get(path));
      page.get("calls").forEach(c -> seen.add(c.get("call_id").textValue()));
      pages++;
      if (page.get("next_cursor").isNull()) {
        break;
      }
      path = "/v1/calls?limit=3&to=+15550000002&cursor=" + enc(page.get("next_cursor").textValue());
    }
    assertEquals(List.of("c09", "c07", "c05", "c03", "c01"), seen);
    assertEquals(2, pages);
    JsonNode exact = json(f.get("/v1/calls?limit=5&to=+15550000002"));
    assertEquals(5, exact.get("calls").size());
  }

  @Test
  void badParametersSayWhatToFix() throws Exception {
    assertEquals("from must be E.164 with the country code and a leading + (%2B in a URL): write +15550000103",
        refused("/v1/calls?from=15550000103"));
    assertEquals("to must be an E.164 number: + and 7 to 15 digits, e.g. +12345678913", refused("/v1/calls?to=+1"));
    assertEquals("since must be an ISO-8601 instant like 2025-01-31T10:42:00Z (or with an offset,"
        + " 2025-01-31T11:42:00+01:00)", refused("/v1/calls?since=yesterday"));
    assertEquals("limit must be a whole number 1..500", refused("/v1/calls?limit=0"));
    assertEquals("limit must be a whole number 1..500", refused("/v1/calls?limit=501"));
    assertEquals("limit must be a whole number 1..500", refused("/v1/calls?limit=ten"));
    assertEquals("outcome must be an outcome like connected, webhook_failed or cancelled",
        refused("/v1/calls?outcome=Connected!"));
    assertTrue(refused("/v1/calls?cursor=bm9wZQ").startsWith("invalid cursor 'bm9wZQ': pass the next_cursor"));
    assertEquals("unknown parameter form (did you mean from?); the parameters are from, to, outcome, since, limit,"
        + " cursor", refused("/v1/calls?form=+15550000103"));
    assertEquals("limit is given 2 times: give it once", refused("/v1/calls?limit=1&limit=2"));
    assertEquals("since is empty: give a value or leave it out", refused("/v1/calls?since="));
    assertEquals("from must be an E.164 number: + and 7 to 15 digits, e.g. +12345678913; limit must be a whole"
        + " number 1..500", refused("/v1/calls?from=x&limit=-1"));
  }

  @Test
  void wrongMethodsAndAStoreFailure() throws Exception {
    HttpResponse<String> post = f.send("POST", "/v1/calls", "{}");
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("allow").orElseThrow());
    assertEquals(405, f.send("DELETE", "/v1/calls/c01", null).statusCode());
    f.store.close();
    try (LogCapture logs = LogCapture.of(AdminApi.class)) {
      HttpResponse<String> r = f.get("/v1/calls");
      assertEquals(503, r.statusCode());
      assertTrue(error(r).startsWith("the records database is unavailable, try again later: "), r.body());
      assertEquals(503, f.get("/v1/calls/c01").statusCode());
      assertEquals(2, logs.atLeast(ch.qos.logback.classic.Level.WARN).size(), logs.messages().toString());
    }
  }

  private static JsonNode tree(String text) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
  }

  private List<String> ids(String path) throws Exception {
    HttpResponse<String> r = f.get(path);
    assertEquals(200, r.statusCode(), path + " " + r.body());
    List<String> ids = new ArrayList<>();
    json(r).get("calls").forEach(c -> ids.add(c.get("call_id").textValue()));
    return ids;
  }

  private String refused(String path) throws Exception {
    HttpResponse<String> r = f.get(path);
    assertEquals(400, r.statusCode(), path + " " + r.body());
    return error(r);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static CallRecord call(String id, String from, String to, Instant received, String outcome) {
    boolean connected = outcome.equals("connected");
    Optional<Instant> answered = connected ? Optional.of(received.plusSeconds(1)) : Optional.empty();
    List<CallDecision.Attempt> attempts = List.of(
        new CallDecision.Attempt(1, received.plusMillis(20), Duration.ofMillis(500), OptionalInt.empty(),
            Optional.of("timeout"), "no response within 500ms"),
        new CallDecision.Attempt(2, received.plusMillis(770), Duration.ofMillis(120), OptionalInt.of(200),
            Optional.empty(), ""));
    return new CallRecord(id, "sip-" + id + "@192.0.2.9", "carrier-a", "192.0.2.9:5060", from, to, received,
        Optional.of(received.plusMillis(10)), Optional.of(received.plusMillis(900)), answered,
        received.plusMillis(31_500), outcome, connected ? 200 : 480, connected ? "caller" : "ringhook",
        connected ? "BYE" : "webhook failed", connected ? Map.of("customer", "Ada", "tier", "gold") : Map.of(),
        connected ? Optional.of("sales") : Optional.empty(), attempts);
  }
}
