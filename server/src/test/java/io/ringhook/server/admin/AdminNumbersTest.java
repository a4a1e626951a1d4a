package io.ringhook.server.admin;

import io.ringhook.server.peers.LogCapture;
import static io.ringhook.server.admin.AdminFixture.error;
import static io.ringhook.server.admin.AdminFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringhook.server.admin.EffectiveNumber.Source;
import io.ringhook.server.config.Secret;
import io.ringhook.server.records.NumberEntry;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/numbers} over real HTTP and the real SQLite store. */
class AdminNumbersTest {
  @TempDir
  Path dir;
  private AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(dir, AdminFixture.defaults());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void theListShowsTheFileNumbersAndNeverASecret() throws Exception {
    HttpResponse<String> r = f.get("/v1/numbers");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
    assertEquals("{\"numbers\":["
        + "{\"number\":\"+15550000001\",\"inbound_webhook_url\":\"https://file.example.com/hook\","
        + "\"webhook_secret_set\":true,\"agent\":\"sales\",\"source\":\"file\"},"
        + "{\"number\":\"+15550000002\",\"inbound_webhook_url\":null,"
        + "\"webhook_secret_set\":false,\"agent\":\"support\",\"source\":\"file\"}]}", r.body());
    assertFalse(r.body().contains("file-secret"));
  }

  @Test
  void oneNumberIsFoundByPlainOrEncodedPlus() throws Exception {
    for (String path : List.of("/v1/numbers/+15550000001", "/v1/numbers/%2B15550000001", "/v1/numbers/%2b15550000001")) {
      HttpResponse<String> r = f.get(path);
      assertEquals(200, r.statusCode(), path);
      assertEquals("+15550000001", json(r).get("number").textValue());
      assertEquals("file", json(r).get("source").textValue());
    }
    HttpResponse<String> unknown = f.get("/v1/numbers/+15559999999");
    assertEquals(404, unknown.statusCode());
    assertEquals("+15559999999 is neither in the configuration file nor set through the API", error(unknown));
  }

  @Test
  void aWebhookUrlPointingAtTheMetadataServiceOrLinkLocalIsRefused() throws Exception {
    for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:8080/hook",
        "http://metadata.google.internal/computeMetadata/v1/")) {
      HttpResponse<String> r = f.put("/v1/numbers/+15550000001", "{\"inbound_webhook_url\":\"" + url + "\"}");
      assertEquals(400, r.statusCode(), url + ": " + r.body());
      assertTrue(error(r).startsWith("inbound_webhook_url must not point at"), error(r));
    }
    assertEquals(Optional.empty(), f.store.number("+15550000001"));
    // A CRM on the private network is normal.
    assertEquals(200, f.put("/v1/numbers/+15550000001", "{\"inbound_webhook_url\":\"http://10.20.0.5/in\"}")
        .statusCode());
  }

  @Test
  void aPutReplacesTheFileEntryForTheNextCallAndIsStored() throws Exception {
    HttpResponse<String> r = f.put("/v1/numbers/%2B15550000001",
        "{\"inbound_webhook_url\":\"https://api.example.com/in?x=1\",\"webhook_secret\":\"api-secret\","
            + "\"agent\":\"demo\"}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("{\"number\":\"+15550000001\",\"inbound_webhook_url\":\"https://api.example.com/in?x=1\","
        + "\"webhook_secret_set\":true,\"agent\":\"demo\",\"source\":\"api_over_file\","
        + "\"updated\":\"2025-01-31T10:42:00Z\"}", r.body());
    assertFalse(r.body().contains("api-secret"));

    EffectiveNumber now = f.numbers.lookup("+15550000001").orElseThrow();
    assertEquals(Optional.of(URI.create("https://api.example.com/in?x=1")), now.webhookUrl());
    assertEquals(Optional.of("api-secret"), now.secret().map(Secret::value));
    assertEquals("demo", now.agent());
    assertEquals(Source.API_OVER_FILE, now.source());
    // Timeout and retries are still the file entry's.
    assertEquals(Duration.ofSeconds(5), now.webhook().timeout());
    assertEquals(1, now.webhook().retries());

    NumberEntry stored = f.store.number("+15550000001").orElseThrow();
    assertEquals(Optional.of("https://api.example.com/in?x=1"), stored.webhookUrl());
    assertEquals(Optional.of("api-secret"), stored.webhookSecret());
    assertEquals(Optional.of("demo"), stored.agent());
    assertEquals(AdminFixture.NOW, stored.updated());

    // GET shows the same, and how the webhook is called (the file's timeout and retries still).
    com.fasterxml.jackson.databind.node.ObjectNode got =
        (com.fasterxml.jackson.databind.node.ObjectNode) json(f.get("/v1/numbers/+15550000001"));
    assertEquals("{\"timeout_ms\":5000,\"retries\":1,\"backoff_ms\":[250,500,1000],\"failure_response\":480}",
        got.remove("webhook_policy").toString());
    assertEquals(json(r), got);
    assertFalse(f.get("/v1/numbers").body().contains("api-secret"));
  }

  @Test
  void keepWebhookSecretKeepsTheSecretTheClientNeverSaw() throws Exception {
    HttpResponse<String> r = f.put("/v1/numbers/+15550000001",
        "{\"inbound_webhook_url\":\"https://api.example.com/other\",\"keep_webhook_secret\":true}");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(json(r).get("webhook_secret_set").booleanValue(), r.body());
    assertEquals(Optional.of("file-secret"), f.numbers.lookup("+15550000001").orElseThrow().secret().map(Secret::value));
    // A number without a secret keeps having none.
    assertFalse(json(f.put("/v1/numbers/+15550000002", "{\"keep_webhook_secret\":true}"))
        .get("webhook_secret_set").booleanValue());
  }

  @Test
  void aPutReplacesTheFileEntryAsAWhole() throws Exception {
    HttpResponse<String> r = f.put("/v1/numbers/+15550000001", "{\"agent\":\"sales\"}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode n = json(r);
    assertTrue(n.get("inbound_webhook_url").isNull(), r.body());
    assertFalse(n.get("webhook_secret_set").booleanValue());
    EffectiveNumber now = f.numbers.lookup("+15550000001").orElseThrow();
    assertEquals(Optional.empty(), now.webhookUrl());
    assertEquals(Optional.empty(), now.secret());

    // Without an agent, default_agent: not the file's.
    assertEquals("support", json(f.put("/v1/numbers/+15550000001", "{}")).get("agent").textValue());
    assertEquals("support", f.numbers.lookup("+15550000001").orElseThrow().agent());
    // Nulls count as absent.
    assertEquals(200, f.put("/v1/numbers/+15550000001",
        "{\"inbound_webhook_url\":null,\"webhook_secret\":null,\"agent\":null}").statusCode());
  }

  @Test
  void aNumberOnlyTheApiKnowsUsesTheWebhookSection() throws Exception {
    HttpResponse<String> r = f.put("/v1/numbers/+442071838750",
        "{\"inbound_webhook_url\":\"http://127.0.0.1:8000/hook\"}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("api", json(r).get("source").textValue());
    assertEquals("support", json(r).get("agent").textValue());
    EffectiveNumber now = f.numbers.lookup("+442071838750").orElseThrow();
    assertEquals(Duration.ofSeconds(7), now.webhook().timeout());
    assertEquals(Source.API, now.source());
    List<String> listed = new ArrayList<>();
    json(f.get("/v1/numbers")).get("numbers").forEach(x -> listed.add(x.get("number").textValue() + " "
        + x.get("source").textValue()));
    assertEquals(List.of("+15550000001 file", "+15550000002 file", "+442071838750 api"), listed);
  }

  @Test
  void deleteRestoresTheFileEntry() throws Exception {
    f.put("/v1/numbers/+15550000001", "{\"agent\":\"demo\"}");
    f.put("/v1/numbers/+15550000003", "{\"agent\":\"echo\"}");
    assertEquals("echo", f.numbers.lookup("+15550000003").orElseThrow().agent(), "the built-in echo is an agent name");
    HttpResponse<String> r = f.delete("/v1/numbers/%2B15550000001");
    assertEquals(204, r.statusCode());
    assertEquals("", r.body());
    assertEquals(Source.FILE, f.numbers.lookup("+15550000001").orElseThrow().source());
    assertEquals("file", json(f.get("/v1/numbers/+15550000001")).get("source").textValue());
    assertEquals(Optional.empty(), f.store.number("+15550000001"));

    assertEquals(204, f.delete("/v1/numbers/+15550000003").statusCode());
    assertEquals(Optional.empty(), f.numbers.lookup("+15550000003"));
    assertEquals(404, f.get("/v1/numbers/+15550000003").statusCode());

    HttpResponse<String> again = f.delete("/v1/numbers/+15550000001");
    assertEquals(404, again.statusCode());
    assertEquals("+15550000001 has no settings set through the API (a file entry cannot be deleted here)",
        error(again));
    assertEquals(404, f.delete("/v1/numbers/+15550000002").statusCode());
  }

  @Test
  void badBodiesAreRefusedNamingTheProblem() throws Exception {
    String path = "/v1/numbers/+15550000001";
    assertTrue(refused(path, "url=https://x.example").startsWith("the body is not valid JSON: "));
    assertTrue(refused(path, "{\"agent\":\"demo\"} trailing").startsWith("the body is not valid JSON: "));
    assertTrue(refused(path, "{\"agent\":\"demo\",\"agent\":\"sales\"}").contains("Duplicate field 'agent'"));
    assertEquals("the body is empty: send a JSON object", refused(path, ""));
    assertTrue(refused(path, "[1]").startsWith("the body must be a JSON object like"));
    assertEquals("unknown field webhook_url (did you mean inbound_webhook_url?); the fields are"
        + " inbound_webhook_url, webhook_secret, agent, keep_webhook_secret", refused(path, "{\"webhook_url\":\"https://x.example\"}"));
    assertEquals("inbound_webhook_url must be an absolute http:// or https:// URL",
        refused(path, "{\"inbound_webhook_url\":\"ftp://x.example/in\"}"));
    assertEquals("inbound_webhook_url must be an absolute http:// or https:// URL",
        refused(path, "{\"inbound_webhook_url\":\"/relative/hook\"}"));
    assertTrue(refused(path, "{\"inbound_webhook_url\":\"https://x.example/a b\"}")
        .startsWith("inbound_webhook_url is not a valid URL: Illegal character in path"));
    assertEquals("inbound_webhook_url must not carry credentials (user:password@): they would show in logs",
        refused(path, "{\"inbound_webhook_url\":\"https://u:p@x.example/\"}"));
    assertEquals("inbound_webhook_url must be a string, not a number", refused(path, "{\"inbound_webhook_url\":5}"));
    assertEquals("webhook_secret must not be empty: leave it out (or null) for unsigned requests",
        refused(path, "{\"webhook_secret\":\"\"}"));
    assertEquals("agent salse is not configured (did you mean sales?); the agents are demo, echo, sales, support",
        refused(path, "{\"agent\":\"salse\"}"));
    assertEquals("keep_webhook_secret and webhook_secret cannot both be given: send the new secret, or keep the old one",
        refused(path, "{\"webhook_secret\":\"s\",\"keep_webhook_secret\":true}"));
    assertEquals("keep_webhook_secret must be true or false, not a string",
        refused(path, "{\"keep_webhook_secret\":\"yes\"}"));
    // Every problem at once.
    assertEquals("unknown field colour; the fields are inbound_webhook_url, webhook_secret, agent, keep_webhook_secret; "
            + "inbound_webhook_url must be an absolute http:// or https:// URL; agent x is not configured; "
            + "the agents are demo, echo, sales, support",
        refused(path, "{\"colour\":1,\"inbound_webhook_url\":\"mailto:a@b\",\"agent\":\"x\"}"));
    // Nothing was stored or changed.
    assertEquals(Optional.empty(), f.store.number("+15550000001"));
    assertEquals(Source.FILE, f.numbers.lookup("+15550000001").orElseThrow().source());
  }

  @Test
  void badNumbersInThePathAreRefused() throws Exception {
    assertEquals("the number in the path must be E.164 with the country code and a leading + (%2B in a URL):"
        + " write +15550000001", refusedGet("/v1/numbers/15550000001"));
    assertEquals("the number in the path must be an E.164 number: + and 7 to 15 digits, e.g. +12345678913",
        refusedGet("/v1/numbers/+1555"));
    assertEquals("the number in the path must be E.164 without separators: write +15550000001",
        refusedGet("/v1/numbers/+1-555-000-0001"));
    HttpResponse<String> put = f.put("/v1/numbers/sales", "{}");
    assertEquals(400, put.statusCode());
    assertEquals(400, f.delete("/v1/numbers/+0123456789").statusCode());
  }

  @Test
  void wrongMethodsAndPathsAreJson() throws Exception {
    HttpResponse<String> post = f.send("POST", "/v1/numbers/+15550000001", "{}");
    assertEquals(405, post.statusCode());
    assertEquals("GET, PUT, DELETE", post.headers().firstValue("allow").orElseThrow());
    assertEquals("POST is not allowed here; use GET, PUT, DELETE", error(post));
    HttpResponse<String> putAll = f.send("PUT", "/v1/numbers", "{}");
    assertEquals(405, putAll.statusCode());
    assertEquals("GET", putAll.headers().firstValue("allow").orElseThrow());
    assertEquals("no such endpoint: /v1/numbers/+15550000001/x", error(f.get("/v1/numbers/+15550000001/x")));
    assertEquals(404, f.get("/v1/nothing").statusCode());
    assertEquals("no such endpoint: /admin", error(f.get("/admin")));
  }

  @Test
  void aStoreFailureIsA503AndChangesNothing() throws Exception {
    f.store.close();
    try (LogCapture logs = LogCapture.of(AdminApi.class)) {
      HttpResponse<String> r = f.put("/v1/numbers/+15550000001", "{\"agent\":\"demo\"}");
      assertEquals(503, r.statusCode());
      assertTrue(error(r).startsWith("the records database is unavailable, try again later: "), r.body());
      assertEquals(Source.FILE, f.numbers.lookup("+15550000001").orElseThrow().source());
      assertEquals(503, f.delete("/v1/numbers/+15550000001").statusCode());
      assertEquals(2, logs.atLeast(ch.qos.logback.classic.Level.WARN).size(), logs.messages().toString());
    }
    // The live view needs no database.
    assertEquals(200, f.get("/v1/numbers").statusCode());
  }

  private String refused(String path, String body) throws Exception {
    HttpResponse<String> r = f.put(path, body);
    assertEquals(400, r.statusCode(), r.body());
    return error(r);
  }

  private String refusedGet(String path) throws Exception {
    HttpResponse<String> r = f.get(path);
    assertEquals(400, r.statusCode(), r.body());
    return error(r);
  }
}
