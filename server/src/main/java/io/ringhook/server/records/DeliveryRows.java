package io.ringhook.server.records;

import io.ringhook.sip.CallDecision;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of the post-call deliveries ({@code call_ended_deliveries} and {@code call_ended_attempts})
 * and the mapping to {@link CallEndedDelivery}. Called by {@link JdbcRecordStore} on its connections.
 */
final class DeliveryRows {
  private DeliveryRows() {}

  static final String INSERT = "INSERT INTO call_ended_deliveries (call_id, url, state, next_at, updated) "
      + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING";

  static void bind(PreparedStatement ps, String callId, CallEndedDelivery d, Instant now) throws SQLException {
    ps.setString(1, callId);
    ps.setString(2, d.url().toString());
    ps.setString(3, d.state().value());
    CallRows.setMillis(ps, 4, d.nextAt());
    ps.setLong(5, now.toEpochMilli());
  }

  /** The deliveries (with their attempts) of the given calls, by call id. */
  static Map<String, CallEndedDelivery> of(Connection c, List<String> callIds) throws SQLException {
    if (callIds.isEmpty()) {
      return Map.of();
    }
    String in = " WHERE call_id IN (" + String.join(", ", Collections.nCopies(callIds.size(), "?")) + ")";
    Map<String, List<CallDecision.Attempt>> attempts;
    try (PreparedStatement ps = c.prepareStatement("SELECT call_id, number, started, latency_ms, status, failure, "
        + "detail FROM call_ended_attempts" + in + " ORDER BY call_id, seq")) {
      bindIds(ps, callIds);
      try (ResultSet rs = ps.executeQuery()) {
        attempts = CallRows.attemptsByCall(rs);
      }
    }
    Map<String, CallEndedDelivery> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT call_id, url, state, next_at FROM call_ended_deliveries"
        + in)) {
      bindIds(ps, callIds);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString("call_id");
          CallEndedDelivery.State state = CallEndedDelivery.State.of(rs.getString("state"));
          Optional<Instant> next = CallRows.millis(rs, "next_at");
          out.put(id, new CallEndedDelivery(URI.create(rs.getString("url")), state,
              state == CallEndedDelivery.State.PENDING ? next : Optional.empty(), attempts.getOrDefault(id, List.of())));
        }
      }
    }
    return out;
  }

  /**
   * Claims up to {@code limit} pending deliveries due by {@code now}: each claimed one's {@code next_at}
   * moves to {@code leaseUntil}, so another instance sharing the database does not send it too.
   */
  static List<String> claimDue(Connection c, Instant now, Instant leaseUntil, int limit) throws SQLException {
    List<String> due = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT call_id, next_at FROM call_ended_deliveries "
        + "WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?")) {
      ps.setLong(1, now.toEpochMilli());
      ps.setInt(2, limit);
      List<Object[]> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Object[] {rs.getString(1), rs.getLong(2)});
        }
      }
      try (PreparedStatement claim = c.prepareStatement("UPDATE call_ended_deliveries SET next_at = ?, updated = ? "
          + "WHERE call_id = ? AND state = 'pending' AND next_at = ?")) {
        for (Object[] row : rows) {
          claim.setLong(1, leaseUntil.toEpochMilli());
          claim.setLong(2, now.toEpochMilli());
          claim.setString(3, (String) row[0]);
          claim.setLong(4, (Long) row[1]);
          if (claim.executeUpdate() == 1) {
            due.add((String) row[0]);
          }
        }
      }
    }
    return due;
  }

  /** Adds an attempt to a delivery and sets its new state. */
  static void attempted(Connection c, String callId, CallDecision.Attempt a, CallEndedDelivery.State state,
                        Optional<Instant> nextAt, Instant now) throws SQLException {
    int seq;
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM call_ended_attempts WHERE call_id = ?")) {
      ps.setString(1, callId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        seq = rs.getInt(1);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_ended_attempts "
        + "(call_id, seq, number, started, latency_ms, status, failure, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      CallRows.bindAttempt(ps, callId, seq, a);
      ps.executeUpdate();
    }
    setState(c, callId, state, nextAt, now);
  }

  /** Sets a delivery's state; false when the call has none. */
  static boolean setState(Connection c, String callId, CallEndedDelivery.State state, Optional<Instant> nextAt,
                          Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE call_ended_deliveries SET state = ?, next_at = ?, "
        + "updated = ? WHERE call_id = ?")) {
      ps.setString(1, state.value());
      CallRows.setMillis(ps, 2, nextAt);
      ps.setLong(3, now.toEpochMilli());
      ps.setString(4, callId);
      return ps.executeUpdate() == 1;
    }
  }

  private static void bindIds(PreparedStatement ps, List<String> ids) throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      ps.setString(i + 1, ids.get(i));
    }
  }
}
