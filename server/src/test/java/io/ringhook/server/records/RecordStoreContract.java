package io.ringhook.server.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.CallDecision;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RecordStore} must do, run against a real database by each subclass; every test
 * starts from an empty database (a new SQLite file, a new PostgreSQL schema).
 */
abstract class RecordStoreContract {
  TestDatabases.Db db;
  RecordStore store;

  abstract TestDatabases.Db newDatabase() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    db = newDatabase();
    store = JdbcRecordStore.open(db.url(), db.user(), db.password());
  }

  @AfterEach
  void closeStore() throws Exception {
    if (store != null) {
      store.close();
    }
    if (db != null) { // null when the database was not available (the test was skipped)
      db.close();
    }
  }

  @Test
  void migratesAnEmptyDatabaseOnceAndReopeningIsANoOp() throws Exception {
    store.insert(List.of(Samples.full("c1", Samples.T0)));
    store.close();
    store = JdbcRecordStore.open(db.url(), db.user(), db.password());
    try (Connection c = db.raw(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
      List<String> versions = new ArrayList<>();
      while (rs.next()) {
        assertTrue(rs.getBoolean(2));
        versions.add(rs.getString(1));
      }
      assertEquals(List.of("1", "2"), versions, "each migration ran once");
    }
    assertTrue(store.call("c1").isPresent(), "reopening kept the data");
    assertEquals(Optional.empty(), store.call("nope"));
  }

  @Test
  void readsBackEveryFieldWithOptionalsPresentOrEmpty() throws Exception {
    CallRecord full = Samples.full("call-full", Samples.T0);
    CallRecord bare = Samples.bare("call-bare", Samples.T0.plusSeconds(1), "anonymous", "+12345678913", "rejected_acl");
    store.insert(List.of(full, bare));

    CallRecord gotFull = store.call("call-full").orElseThrow();
    assertEquals(full, gotFull);
    assertEquals(List.of("zeta", "customer_name", "alpha"), new ArrayList<>(gotFull.variables().keySet()),
        "variables keep the webhook's order");
    assertEquals(List.of(1, 2, 3), gotFull.attempts().stream().map(CallDecision.Attempt::number).toList());
    assertEquals(full.duration(), gotFull.duration());

    CallRecord gotBare = store.call("call-bare").orElseThrow();
    assertEquals(bare, gotBare);
    assertTrue(gotBare.ringing().isEmpty() && gotBare.decided().isEmpty() && gotBare.answered().isEmpty());
    assertTrue(gotBare.agent().isEmpty() && gotBare.variables().isEmpty() && gotBare.attempts().isEmpty());

    assertEquals(List.of(bare, full), store.calls(CallQuery.newest()).calls(), "the page carries the attempts too");
  }

  @Test
  void keepsAttemptsInListOrderAndTimesToTheMillisecond() throws Exception {
    CallRecord full = Samples.full("c", Samples.T0.plusNanos(456_789));
    List<CallDecision.Attempt> reversed = new ArrayList<>(full.attempts());
    java.util.Collections.reverse(reversed);
    CallRecord odd = new CallRecord("c", full.sipCallId(), full.trunk(), full.source(), full.fromNumber(),
        full.toNumber(), full.received(), full.ringing(), full.decided(), full.answered(), full.ended(),
        full.outcome(), full.finalStatus(), full.endedBy(), full.endReason(), full.variables(), full.agent(), reversed);
    store.insert(List.of(odd));
    CallRecord got = store.call("c").orElseThrow();
    assertEquals(List.of(3, 2, 1), got.attempts().stream().map(CallDecision.Attempt::number).toList());
    assertEquals(Samples.T0, got.received(), "stored to the millisecond");
  }

  @Test
  void aDuplicateCallIdIsSkippedWithItsAttempts() throws Exception {
    CallRecord first = Samples.full("dup", Samples.T0);
    store.insert(List.of(first));
    CallRecord again = Samples.bare("dup", Samples.T0.plusSeconds(5), "+1", "+2", "cancelled");
    CallRecord other = Samples.bare("other", Samples.T0.plusSeconds(6), "+1", "+2", "cancelled");
    store.insert(List.of(again, other, again));
    assertEquals(first, store.call("dup").orElseThrow());
    assertEquals(other, store.call("other").orElseThrow());
    try (Connection c = db.raw(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM webhook_attempts")) {
      rs.next();
      assertEquals(3, rs.getInt(1));
    }
  }

  @Test
  void storesTextThePostgresqlDriverWouldRefuse() throws Exception {
    CallRecord nul = Samples.bare("nul", Samples.T0, "+1\u0000", "+2", "no_codec");
    store.insert(List.of(nul));
    assertEquals("+1\uFFFD", store.call("nul").orElseThrow().fromNumber());
  }

  @Test
  void filtersByFromToOutcomeAndSinceNewestFirst() throws Exception {
    store.insert(List.of(
        Samples.bare("a", Samples.T0, "+1111", "+9000", "connected"),
        Samples.bare("b", Samples.T0.plusSeconds(10), "+2222", "+9000", "webhook_failed"),
        Samples.bare("c", Samples.T0.plusSeconds(20), "+1111", "+9001", "webhook_failed"),
        Samples.bare("d", Samples.T0.plusSeconds(30), "+1111", "+9000", "webhook_failed")));
    assertEquals(List.of("d", "c", "b", "a"), ids(query(null, null, null, null, 50, null)));
    assertEquals(List.of("d", "c", "a"), ids(query("+1111", null, null, null, 50, null)));
    assertEquals(List.of("d", "b", "a"), ids(query(null, "+9000", null, null, 50, null)));
    assertEquals(List.of("d", "c", "b"), ids(query(null, null, "webhook_failed", null, 50, null)));
    assertEquals(List.of("d", "c"), ids(query(null, null, null, Samples.T0.plusSeconds(20), 50, null)),
        "since includes its own instant");
    assertEquals(List.of("d"), ids(query("+1111", "+9000", "webhook_failed", Samples.T0.plusSeconds(1), 50, null)));
    assertEquals(List.of(), ids(query("+3333", null, null, null, 50, null)));
  }

  @Test
  void pagesWithCursorsUntilTheLastPage() throws Exception {
    List<CallRecord> seven = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      // c3 and c4 share one received millisecond: the call id breaks the tie.
      Instant at = Samples.T0.plusSeconds(i == 4 ? 3 : i);
      seven.add(Samples.bare("c" + i, at, i % 2 == 0 ? "+1111" : "+2222", "+9000", "cancelled"));
    }
    store.insert(seven);
    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    do {
      CallPage page = store.calls(query(null, null, null, null, 3, cursor.orElse(null)));
      sizes.add(page.calls().size());
      seen.addAll(ids(page));
      cursor = page.nextCursor();
    } while (cursor.isPresent());
    assertEquals(List.of(3, 3, 1), sizes);
    assertEquals(List.of("c6", "c5", "c4", "c3", "c2", "c1", "c0"), seen);

    CallPage exact = store.calls(query(null, null, null, null, 7, null));
    assertEquals(7, exact.calls().size());
    assertEquals(Optional.empty(), exact.nextCursor(), "no cursor when no more rows exist");

    CallPage first = store.calls(query("+1111", null, null, null, 2, null));
    assertEquals(List.of("c6", "c4"), ids(first));
    CallPage second = store.calls(query("+1111", null, null, null, 2, first.nextCursor().orElseThrow()));
    assertEquals(List.of("c2", "c0"), ids(second));
    assertEquals(Optional.empty(), second.nextCursor());
  }

  @Test
  void anInvalidCursorIsRefusedWithAMessage() {
    for (String bad : List.of("not base64!", "Zm9v", "YzE6eHg6aWQ", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> store.calls(query(null, null, null, null, 3, bad)), bad);
      assertTrue(e.getMessage().contains("invalid cursor"), e.getMessage());
    }
  }

  @Test
  void storesWhatTheDecisionAddedAndThePostCallDeliveryWithItsAttempts() throws Exception {
    CallRecord full = Samples.full("d1", Samples.T0);
    CallRecord r = new CallRecord(full.callId(), full.sipCallId(), full.trunk(), full.source(), full.fromNumber(),
        full.toNumber(), full.received(), full.ringing(), full.decided(), full.answered(), full.ended(),
        full.outcome(), full.finalStatus(), full.endedBy(), full.endReason(), full.variables(), full.agent(),
        full.attempts(), Optional.of("{\"crm_id\":42}"), Optional.of("webhook: 1 attempt failed"),
        java.util.Map.of("X-Customer-Id", "c-1"),
        Optional.of(CallEndedDelivery.pending(java.net.URI.create("https://crm.example/ended"), full.ended())));
    store.insert(List.of(r, Samples.bare("d2", Samples.T0, "+1", "+2", "declined")));
    assertEquals(Optional.of(r), store.call("d1"));
    assertEquals(Optional.empty(), store.call("d2").get().callEnded());

    Instant now = full.ended().plusSeconds(1);
    assertEquals(List.of(), store.claimDueDeliveries(full.ended().minusMillis(1), now.plusSeconds(60), 10),
        "not due yet");
    assertEquals(List.of("d1"), store.claimDueDeliveries(now, now.plusSeconds(60), 10));
    assertEquals(List.of(), store.claimDueDeliveries(now, now.plusSeconds(60), 10), "claimed (leased) once");
    io.ringhook.sip.CallDecision.Attempt failed = new io.ringhook.sip.CallDecision.Attempt(1, now,
        java.time.Duration.ofMillis(12), java.util.OptionalInt.of(503), Optional.of("status"), "");
    store.deliveryAttempted("d1", failed, CallEndedDelivery.State.PENDING, Optional.of(now.plusSeconds(5)));
    assertEquals(List.of("d1"), store.claimDueDeliveries(now.plusSeconds(5), now.plusSeconds(65), 10));
    io.ringhook.sip.CallDecision.Attempt ok = new io.ringhook.sip.CallDecision.Attempt(2, now.plusSeconds(5),
        java.time.Duration.ofMillis(9), java.util.OptionalInt.of(200), Optional.empty(), "");
    store.deliveryAttempted("d1", ok, CallEndedDelivery.State.DELIVERED, Optional.empty());
    CallEndedDelivery d = store.call("d1").get().callEnded().get();
    assertEquals(new CallEndedDelivery(d.url(), CallEndedDelivery.State.DELIVERED, Optional.empty(),
        List.of(failed, ok)), d);

    assertTrue(store.redeliver("d1"));
    assertEquals(CallEndedDelivery.State.PENDING, store.call("d1").get().callEnded().get().state());
    assertFalse(store.redeliver("d2"), "no delivery to replay");
  }

  @Test
  void numbersCanBePutReadReplacedAndDeleted() throws Exception {
    NumberEntry a = new NumberEntry("+12345678913", Optional.of("https://hooks.example/inbound"),
        Optional.of("s3cret"), Optional.of("support-bot"), Samples.T0);
    NumberEntry b = new NumberEntry("+12345678900", Optional.empty(), Optional.empty(), Optional.of("demo"),
        Samples.T0.plusSeconds(1));
    assertEquals(List.of(), store.numbers());
    store.putNumber(a);
    store.putNumber(b);
    assertEquals(List.of(b, a), store.numbers(), "by number");
    assertEquals(Optional.of(a), store.number("+12345678913"));
    assertEquals(Optional.empty(), store.number("+19999999999"));

    NumberEntry a2 = new NumberEntry("+12345678913", Optional.of("https://other.example/x"), Optional.empty(),
        Optional.empty(), Samples.T0.plusSeconds(60));
    store.putNumber(a2);
    assertEquals(Optional.of(a2), store.number("+12345678913"), "replaced, emptied fields included");

    assertTrue(store.deleteNumber("+12345678913"));
    assertFalse(store.deleteNumber("+12345678913"));
    assertEquals(List.of(b), store.numbers());
  }

  @Test
  void pingsWhileOpenAndNotAfterClose() {
    assertTrue(store.ping());
    store.close();
    assertFalse(store.ping());
    store = null;
  }

  static CallQuery query(String from, String to, String outcome, Instant since, int limit, String cursor) {
    return new CallQuery(Optional.ofNullable(from), Optional.ofNullable(to), Optional.ofNullable(outcome),
        Optional.ofNullable(since), limit, Optional.ofNullable(cursor));
  }

  List<String> ids(CallQuery q) throws RecordStore.StoreException {
    return ids(store.calls(q));
  }

  static List<String> ids(CallPage page) {
    return page.calls().stream().map(CallRecord::callId).toList();
  }

  static int count(TestDatabases.Db db, String table) throws SQLException {
    try (Connection c = db.raw(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
