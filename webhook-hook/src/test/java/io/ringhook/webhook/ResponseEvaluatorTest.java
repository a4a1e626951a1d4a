package io.ringhook.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseEvaluatorTest {

  private static ResponseEvaluator.Verdict judge(int status, String body) {
    return ResponseEvaluator.evaluate(
        new Response(status, "application/json", null, body.getBytes(StandardCharsets.UTF_8), true));
  }

  @Test
  void scalarsBecomeTextNullsAreDroppedNestedValuesBecomeJson() {
    ResponseEvaluator.Verdict v =
        judge(200,
            "{\"dynamic_variables\":{\"s\":\"x\",\"i\":-7,\"f\":0.5,\"e\":1.50,\"t\":true,"
                + "\"n\":null,\"o\":{\"k\":[1,{\"z\":null}]},\"a\":[],\"u\":\"é\\u00e9\"}}");
    assertTrue(v.succeeded());
    assertEquals(
        Map.of("s", "x", "i", "-7", "f", "0.5", "e", "1.50", "t", "true",
            "o", "{\"k\":[1,{\"z\":null}]}", "a", "[]", "u", "éé"),
        v.variables());
  }

  private static ResponseEvaluator.Verdict judge(String body) {
    return ResponseEvaluator.evaluate(
        new Response(200, "application/json", null, body.getBytes(StandardCharsets.UTF_8), true),
        java.util.Set.of("sales", "demo"));
  }

  @Test
  void anAnswerMayChooseAKnownAgentAndCarryMetadata() {
    WebhookResult.Answer a = judge("{\"dynamic_variables\":{\"n\":1},\"agent\":\"sales\","
        + "\"metadata\":{\"crm\":{\"id\":42},\"tags\":[\"vip\"]}}").answer();
    assertEquals(new WebhookResult.Answer(Map.of("n", "1"), java.util.Optional.of("sales"), java.util.Optional.empty(),
        java.util.Optional.of("{\"crm\":{\"id\":42},\"tags\":[\"vip\"]}")), a);
    ResponseEvaluator.Verdict unknown = judge("{\"agent\":\"salse\"}");
    assertEquals(FailureReason.UNKNOWN_AGENT, unknown.reason());
    assertEquals("agent \"salse\" is not a configured agent", unknown.detail());
    assertEquals(FailureReason.BAD_ANSWER, judge("{\"agent\":7}").reason());
    assertEquals(FailureReason.BAD_ANSWER, judge("{\"metadata\":[1]}").reason());
    assertEquals(FailureReason.UNKNOWN_AGENT, judge(200, "{\"agent\":\"sales\"}").reason(),
        "no agent may be chosen unless the request names the known ones");
  }

  @Test
  void aDeclineNeedsAnAllowedStatusAndABoundedReasonAndWinsOverEverythingElse() {
    assertEquals(java.util.Optional.of(new WebhookResult.Decline(486, "spam")),
        judge("{\"decline\":{\"status\":486,\"reason\":\"spam\"},\"agent\":\"nobody\"}").answer().decline());
    assertEquals(java.util.Optional.of(new WebhookResult.Decline(603, "")), judge("{\"decline\":{}}").answer().decline());
    assertEquals(java.util.Optional.of(new WebhookResult.Decline(403, "line one line two")),
        judge("{\"decline\":{\"status\":403,\"reason\":\"line one\\nline two\"}}").answer().decline());
    assertEquals(FailureReason.BAD_ANSWER, judge("{\"decline\":{\"status\":500}}").reason());
    assertEquals(FailureReason.BAD_ANSWER, judge("{\"decline\":{\"status\":\"486\"}}").reason());
    assertEquals(FailureReason.BAD_ANSWER, judge("{\"decline\":true}").reason());
    assertEquals(FailureReason.BAD_ANSWER,
        judge("{\"decline\":{\"reason\":\"" + "x".repeat(101) + "\"}}").reason());
    assertEquals("decline.status must be 403, 404, 480, 486 or 603, got 500",
        judge("{\"decline\":{\"status\":500}}").detail());
  }

  @Test
  void emptyOrWhitespaceBodyAndNullVariablesAreSuccessWithoutVariables() {
    assertEquals(Map.of(), judge(200, "").variables());
    assertEquals(Map.of(), judge(201, " \r\n").variables());
    assertEquals(Map.of(), judge(200, "{\"dynamic_variables\":null}").variables());
  }

  @Test
  void anythingElseIsAFailureWithItsReason() {
    assertEquals(FailureReason.NOT_JSON, judge(200, "{\"a\":1} trailing").reason());
    assertEquals(FailureReason.NOT_JSON, judge(200, "{\"a\":").reason());
    assertEquals(FailureReason.NOT_OBJECT, judge(200, "\"just a string\"").reason());
    assertEquals(FailureReason.NOT_OBJECT, judge(200, "42").reason());
    assertEquals(FailureReason.VARIABLES_NOT_OBJECT, judge(200, "{\"dynamic_variables\":\"x\"}").reason());
    assertEquals(FailureReason.STATUS, judge(404, "{}").reason());
    assertEquals(FailureReason.STATUS, judge(199, "").reason());
    assertEquals(FailureReason.STATUS, judge(300, "").reason());
  }

  @Test
  void failureDetailsAreShortSingleLines() {
    String detail = judge(500, "line one\nline two " + "x".repeat(500)).detail();
    assertTrue(detail.startsWith("HTTP 500: \"line one line two x"), detail);
    assertTrue(detail.endsWith("…\""), detail);
    assertTrue(detail.length() < 160, detail);
    assertEquals("body is a JSON number, expected an object", judge(200, "42").detail());
  }
}
