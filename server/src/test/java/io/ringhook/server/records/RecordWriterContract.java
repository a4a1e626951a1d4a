package io.ringhook.server.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ringhook.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The records writer against a real store: asynchronous writes, the flush at close, overflow, and an
 * outage made by the database itself refusing writes (each subclass says how), not by a fake store.
 */
abstract class RecordWriterContract {
  TestDatabases.Db db;
  RecordStore store;
  RecordWriter writer;
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger writerLog = (Logger) LoggerFactory.getLogger(RecordWriter.class);

  abstract TestDatabases.Db newDatabase() throws Exception;

  /** Makes every insert through the store fail until {@link #repairStore()}. */
  abstract void breakStore() throws Exception;

  abstract void repairStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    db = newDatabase();
    store = JdbcRecordStore.open(db.url(), db.user(), db.password());
    logs.start();
    writerLog.addAppender(logs);
    writerLog.setAdditive(false); // the tests break the store on purpose: its warnings are asserted, not printed
  }

  @AfterEach
  void close() throws Exception {
    writerLog.detachAppender(logs);
    writerLog.setAdditive(true);
    if (writer != null) {
      writer.close(Duration.ofSeconds(5));
    }
    if (store != null) {
      store.close();
    }
    if (db != null) { // null when the database was not available (the test was skipped)
      db.close();
    }
  }

  RecordWriter writer(int capacity) {
    writer = new RecordWriter(store, capacity, Duration.ofMillis(20), Duration.ofMillis(200), Clock.systemUTC());
    return writer;
  }

  static CallRecord record(int i) {
    return Samples.bare("w" + (1000 + i), Samples.T0.plusMillis(i), "+1111", "+9000", "cancelled");
  }

  @Test
  void writesSubmittedRecordsInTheBackground() throws Exception {
    RecordWriter w = writer(100);
    assertTrue(w.submit(Samples.full("full", Samples.T0)));
    for (int i = 0; i < 3; i++) {
      assertTrue(w.submit(record(i)));
    }
    assertTrue(w.awaitIdle(Duration.ofSeconds(10)));
    assertEquals(4, w.written());
    assertEquals(0, w.pending());
    assertEquals(0, w.dropped());
    assertEquals(Optional.of(Samples.full("full", Samples.T0)), store.call("full"));
    assertEquals(4, RecordStoreContract.count(db, "calls"));
  }

  @Test
  void closeWritesEverythingStillQueued() throws Exception {
    RecordWriter w = writer(5_000);
    for (int i = 0; i < 1_000; i++) {
      assertTrue(w.submit(record(i)));
    }
    w.close(Duration.ofSeconds(30));
    assertEquals(1_000, RecordStoreContract.count(db, "calls"));
    assertEquals(1_000, w.written());
    assertEquals(0, w.pending());
    assertFalse(w.submit(record(5_000)), "closed");
    assertEquals(1, w.dropped());
  }

  @Test
  void aFullBufferDropsNewRecordsAndCountsThem() throws Exception {
    breakStore();
    RecordWriter w = writer(5);
    List<Boolean> accepted = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      accepted.add(w.submit(record(i)));
    }
    assertEquals(List.of(true, true, true, true, true, false, false, false), accepted);
    assertEquals(3, w.dropped());
    assertEquals(5, w.pending());
    assertTrue(logged(Level.WARN, "dropped"), "the drop is logged");
    repairStore();
    assertTrue(w.awaitIdle(Duration.ofSeconds(10)));
    assertEquals(5, RecordStoreContract.count(db, "calls"));
    assertTrue(store.call(record(4).callId()).isPresent(), "the oldest are kept");
    assertTrue(store.call(record(5).callId()).isEmpty());
  }

  @Test
  void survivesAnOutageAndLogsItsStartAndEndOnce() throws Exception {
    RecordWriter w = writer(100);
    w.submit(record(0));
    assertTrue(w.awaitIdle(Duration.ofSeconds(10)));
    breakStore();
    w.submit(record(1));
    w.submit(record(2));
    waitFor(() -> logged(Level.WARN, "store is failing"));
    // Several retries fail meanwhile (20 ms doubling to 200 ms), and new records keep arriving.
    w.submit(record(3));
    Await.holds("records wait while the store is down", Duration.ofMillis(500), () -> w.pending() == 3);
    w.submit(record(4));
    assertEquals(4, w.pending());
    repairStore();
    assertTrue(w.awaitIdle(Duration.ofSeconds(10)));
    assertEquals(5, RecordStoreContract.count(db, "calls"));
    assertEquals(0, w.dropped());
    assertEquals(1, count(Level.WARN, "store is failing"), "the outage start is logged once");
    assertEquals(1, count(Level.INFO, "works again"), "the outage end is logged once");
  }

  @Test
  void closeGivesUpAtItsTimeoutAndSaysHowManyAreLost() throws Exception {
    breakStore();
    RecordWriter w = writer(100);
    w.submit(record(1));
    w.submit(record(2));
    long start = System.nanoTime();
    w.close(Duration.ofMillis(300));
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "close returns near its timeout");
    assertEquals(2, w.pending());
    assertTrue(logged(Level.ERROR, "2 record(s) lost"), "the loss is logged");
    repairStore();
    assertEquals(0, RecordStoreContract.count(db, "calls"));
  }

  boolean logged(Level level, String text) {
    return count(level, text) > 0;
  }

  long count(Level level, String text) {
    synchronized (logs.list) {
      return new ArrayList<>(logs.list).stream()
          .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text)).count();
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition) {
    Await.until("the writer's log line", Duration.ofSeconds(10), condition);
  }
}
