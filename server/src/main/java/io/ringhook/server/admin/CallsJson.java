package io.ringhook.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringhook.server.records.CallEndedDelivery;
import io.ringhook.server.records.CallPage;
import io.ringhook.server.records.CallRecord;
import io.ringhook.sip.CallDecision;

/**
 * The JSON of {@code /v1/calls} and of the post-call {@code call_ended} event: every field of a
 * {@link CallRecord} in snake_case, times in ISO-8601 UTC.
 */
public final class CallsJson {
  private CallsJson() {}

  /**
   * The body of the post-call event: {@code {"event":"call_ended", ...the record...}}, without the
   * event's own delivery (which the receiver is part of).
   */
  public static byte[] callEndedEvent(CallRecord c) {
    ObjectNode o = Json.object();
    o.put("event", "call_ended");
    o.setAll(fields(c));
    try {
      return Json.MAPPER.writeValueAsBytes(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always serialises", e);
    }
  }

  /** {@code {"calls": [...], "next_cursor": "..." | null}}. */
  static ObjectNode page(CallPage page) {
    ObjectNode o = Json.object();
    ArrayNode a = o.putArray("calls");
    page.calls().forEach(c -> a.add(call(c)));
    if (page.nextCursor().isPresent()) {
      o.put("next_cursor", page.nextCursor().get());
    } else {
      o.putNull("next_cursor");
    }
    return o;
  }

  static ObjectNode call(CallRecord c) {
    ObjectNode o = fields(c);
    if (c.callEnded().isPresent()) {
      o.set("call_ended", delivery(c.callEnded().get()));
    } else {
      o.putNull("call_ended");
    }
    return o;
  }

  private static ObjectNode fields(CallRecord c) {
    ObjectNode o = Json.object();
    o.put("call_id", c.callId());
    o.put("sip_call_id", c.sipCallId());
    o.put("trunk", c.trunk());
    o.put("source", c.source());
    o.put("from_number", c.fromNumber());
    o.put("to_number", c.toNumber());
    o.put("received", c.received().toString());
    Json.put(o, "ringing", c.ringing());
    Json.put(o, "decided", c.decided());
    Json.put(o, "answered", c.answered());
    o.put("ended", c.ended().toString());
    if (c.duration().isPresent()) {
      o.put("duration_ms", c.duration().get().toMillis());
    } else {
      o.putNull("duration_ms");
    }
    o.put("outcome", c.outcome());
    o.put("final_status", c.finalStatus());
    o.put("ended_by", c.endedBy());
    o.put("end_reason", c.endReason());
    ObjectNode vars = o.putObject("variables");
    c.variables().forEach(vars::put);
    if (c.agent().isPresent()) {
      o.put("agent", c.agent().get());
    } else {
      o.putNull("agent");
    }
    ArrayNode attempts = o.putArray("webhook_attempts");
    c.attempts().forEach(w -> attempts.add(attempt(w)));
    o.set("metadata", c.metadata().map(CallsJson::object).orElse(null));
    if (c.webhookFailure().isPresent()) {
      o.put("webhook_failure", c.webhookFailure().get());
    } else {
      o.putNull("webhook_failure");
    }
    ObjectNode headers = o.putObject("sip_headers");
    c.sipHeaders().forEach(headers::put);
    return o;
  }

  private static ObjectNode delivery(CallEndedDelivery d) {
    ObjectNode o = Json.object();
    o.put("url", d.url().toString());
    o.put("state", d.state().value());
    Json.put(o, "next_attempt", d.nextAt());
    ArrayNode attempts = o.putArray("attempts");
    d.attempts().forEach(a -> attempts.add(attempt(a)));
    return o;
  }

  /** Stored metadata back as its object (it was one when stored; text it is otherwise). */
  private static com.fasterxml.jackson.databind.JsonNode object(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      return Json.MAPPER.getNodeFactory().textNode(json);
    }
  }

  private static ObjectNode attempt(CallDecision.Attempt w) {
    ObjectNode o = Json.object();
    o.put("number", w.number());
    o.put("started", w.started().toString());
    o.put("latency_ms", w.latency().toMillis());
    if (w.status().isPresent()) {
      o.put("status", w.status().getAsInt());
    } else {
      o.putNull("status");
    }
    if (w.failure().isPresent()) {
      o.put("failure", w.failure().get());
    } else {
      o.putNull("failure");
    }
    o.put("detail", w.detail());
    return o;
  }
}
