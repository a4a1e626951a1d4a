package io.ringhook.server.peers;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event baresip pushed over ctrl_tcp, e.g. {@code CALL_RINGING}, {@code CALL_ESTABLISHED},
 * {@code CALL_CLOSED} (whose {@code param} is the reason: {@code "480 Temporarily Unavailable"},
 * {@code "Connection reset by peer"} for a BYE or CANCEL received, {@code "end of file"} when the
 * aufile source ran out, ...).
 *
 * @param type the event type, e.g. {@code CALL_CLOSED}
 * @param param the event's {@code param} ("" when absent)
 * @param callId baresip's id of the call ("" when absent; not the SIP Call-ID)
 * @param direction {@code incoming} or {@code outgoing} ("" when absent)
 * @param peerUri the other side's URI ("" when absent)
 * @param json the whole event as received
 */
public record BaresipEvent(String type, String param, String callId, String direction, String peerUri,
    JsonNode json) {

  static BaresipEvent of(JsonNode json) {
    return new BaresipEvent(text(json, "type"), text(json, "param"), text(json, "id"),
        text(json, "direction"), text(json, "peeruri"), json);
  }

  /** Returns the SIP status code at the start of {@code param} (CALL_CLOSED after an error), or 0. */
  public int statusCode() {
    if (param.length() >= 3 && param.substring(0, 3).chars().allMatch(Character::isDigit)
        && (param.length() == 3 || param.charAt(3) == ' ')) {
      return Integer.parseInt(param.substring(0, 3));
    }
    return 0;
  }

  private static String text(JsonNode json, String field) {
    JsonNode v = json.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  @Override
  public String toString() {
    return type + (param.isEmpty() ? "" : "(" + param + ")");
  }
}
