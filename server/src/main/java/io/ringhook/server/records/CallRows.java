package io.ringhook.server.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringhook.sip.CallDecision;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The SQL of the records tables and the mapping between their rows and the record types: times as
 * epoch milliseconds, variables as JSON object text (order kept), attempts by their list position.
 */
final class CallRows {
  private CallRows() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, String>> VARIABLES = new TypeReference<>() {};

  static final String CALL_COLUMNS = "call_id, sip_call_id, trunk, source, from_number, to_number, received, "
      + "ringing, decided, answered, ended, outcome, final_status, ended_by, end_reason, variables, agent, "
      + "metadata, webhook_failure, sip_headers";

  static final String INSERT_CALL = "INSERT INTO calls (" + CALL_COLUMNS + ", duration_ms) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING";

  static final String INSERT_ATTEMPT = "INSERT INTO webhook_attempts "
      + "(call_id, seq, number, started, latency_ms, status, failure, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      + "ON CONFLICT (call_id, seq) DO NOTHING"; // a driver that cannot say which calls were new

  static final String NUMBER_COLUMNS = "number, webhook_url, webhook_secret, agent, updated";

  static final String UPSERT_NUMBER = "INSERT INTO numbers (" + NUMBER_COLUMNS + ") VALUES (?, ?, ?, ?, ?) "
      + "ON CONFLICT (number) DO UPDATE SET webhook_url = excluded.webhook_url, "
      + "webhook_secret = excluded.webhook_secret, agent = excluded.agent, updated = excluded.updated";

  static void bindCall(PreparedStatement ps, CallRecord r) throws SQLException {
    int i = 0;
    ps.setString(++i, text(r.callId()));
    ps.setString(++i, text(r.sipCallId()));
    ps.setString(++i, text(r.trunk()));
    ps.setString(++i, text(r.source()));
    ps.setString(++i, text(r.fromNumber()));
    ps.setString(++i, text(r.toNumber()));
    ps.setLong(++i, r.received().toEpochMilli());
    setMillis(ps, ++i, r.ringing());
    setMillis(ps, ++i, r.decided());
    setMillis(ps, ++i, r.answered());
    ps.setLong(++i, r.ended().toEpochMilli());
    ps.setString(++i, text(r.outcome()));
    ps.setInt(++i, r.finalStatus());
    ps.setString(++i, text(r.endedBy()));
    ps.setString(++i, text(r.endReason()));
    ps.setString(++i, text(variablesJson(r.variables())));
    setText(ps, ++i, r.agent());
    setText(ps, ++i, r.metadata());
    setText(ps, ++i, r.webhookFailure());
    setText(ps, ++i, r.sipHeaders().isEmpty() ? Optional.empty() : Optional.of(variablesJson(r.sipHeaders())));
    Optional<Duration> duration = r.duration();
    if (duration.isPresent()) {
      ps.setLong(++i, duration.get().toMillis());
    } else {
      ps.setNull(++i, Types.BIGINT);
    }
  }

  static void bindAttempt(PreparedStatement ps, String callId, int seq, CallDecision.Attempt a)
      throws SQLException {
    ps.setString(1, text(callId));
    ps.setInt(2, seq);
    ps.setInt(3, a.number());
    ps.setLong(4, a.started().toEpochMilli());
    ps.setLong(5, a.latency().toMillis());
    if (a.status().isPresent()) {
      ps.setInt(6, a.status().getAsInt());
    } else {
      ps.setNull(6, Types.INTEGER);
    }
    setText(ps, 7, a.failure());
    ps.setString(8, text(a.detail()));
  }

  /** A call row (columns {@link #CALL_COLUMNS}) with the given attempts. */
  static CallRecord call(ResultSet rs, List<CallDecision.Attempt> attempts) throws SQLException {
    return new CallRecord(rs.getString("call_id"), rs.getString("sip_call_id"), rs.getString("trunk"),
        rs.getString("source"), rs.getString("from_number"), rs.getString("to_number"),
        Instant.ofEpochMilli(rs.getLong("received")), millis(rs, "ringing"), millis(rs, "decided"),
        millis(rs, "answered"), Instant.ofEpochMilli(rs.getLong("ended")), rs.getString("outcome"),
        rs.getInt("final_status"), rs.getString("ended_by"), rs.getString("end_reason"),
        variables(rs.getString("variables")), Optional.ofNullable(rs.getString("agent")), attempts,
        Optional.ofNullable(rs.getString("metadata")), Optional.ofNullable(rs.getString("webhook_failure")),
        variables(rs.getString("sip_headers")), Optional.empty());
  }

  static CallDecision.Attempt attempt(ResultSet rs) throws SQLException {
    int status = rs.getInt("status");
    OptionalInt maybeStatus = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(status);
    return new CallDecision.Attempt(rs.getInt("number"), Instant.ofEpochMilli(rs.getLong("started")),
        Duration.ofMillis(rs.getLong("latency_ms")), maybeStatus, Optional.ofNullable(rs.getString("failure")),
        rs.getString("detail"));
  }

  static void bindNumber(PreparedStatement ps, NumberEntry n) throws SQLException {
    ps.setString(1, text(n.number()));
    setText(ps, 2, n.webhookUrl());
    setText(ps, 3, n.webhookSecret());
    setText(ps, 4, n.agent());
    ps.setLong(5, n.updated().toEpochMilli());
  }

  static NumberEntry number(ResultSet rs) throws SQLException {
    return new NumberEntry(rs.getString("number"), Optional.ofNullable(rs.getString("webhook_url")),
        Optional.ofNullable(rs.getString("webhook_secret")), Optional.ofNullable(rs.getString("agent")),
        Instant.ofEpochMilli(rs.getLong("updated")));
  }

  static String variablesJson(Map<String, String> variables) {
    try {
      return JSON.writeValueAsString(variables);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serialises", e);
    }
  }

  static Map<String, String> variables(String json) throws SQLException {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, VARIABLES);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored variables are not a JSON object of strings: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * PostgreSQL refuses U+0000 in text, and a record the database refuses would be retried for ever;
   * SIP headers should never carry it, but a stored replacement character beats a lost record.
   */
  static String text(String s) {
    return s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
  }

  static void setText(PreparedStatement ps, int i, Optional<String> s) throws SQLException {
    if (s.isPresent()) {
      ps.setString(i, text(s.get()));
    } else {
      ps.setNull(i, Types.VARCHAR);
    }
  }

  static void setMillis(PreparedStatement ps, int i, Optional<Instant> t) throws SQLException {
    if (t.isPresent()) {
      ps.setLong(i, t.get().toEpochMilli());
    } else {
      ps.setNull(i, Types.BIGINT);
    }
  }

  static Optional<Instant> millis(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  /** Groups attempt rows ordered by (call_id, seq) into lists by call id. */
  static Map<String, List<CallDecision.Attempt>> attemptsByCall(ResultSet rs) throws SQLException {
    Map<String, List<CallDecision.Attempt>> byCall = new LinkedHashMap<>();
    while (rs.next()) {
      byCall.computeIfAbsent(rs.getString("call_id"), k -> new ArrayList<>()).add(attempt(rs));
    }
    return byCall;
  }
}
