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
