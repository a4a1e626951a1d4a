package io.ringhook.server.bench;

import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.JdbcRecordStore;
import io.ringhook.server.records.RecordStore;
import io.ringhook.sip.CallDecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of {@link JdbcRecordStore#insert}: how many call records a second one writer thread
 * stores, on an SQLite file (the default store, in a temporary directory) and on PostgreSQL (the
 * database named by RINGHOOK_TEST_PG_URL/USER/PASSWORD, in a fresh schema dropped afterwards), one
 * record per transaction and in batches as {@code RecordWriter} writes them (up to 200 per
 * transaction; 100 is a writer catching up with a moderate backlog).
 *
 * <p>The primary score is {@code insert()} calls per second; the {@code records} line is records
 * per second, the figure to compare with calls per second. Each record is a connected call with one
 * webhook attempt and two dynamic variables, a new call id each time (a repeated id would skip its
 * attempts and be cheaper). The tables grow through the run, as they do in service. Without the
 * PostgreSQL variables its runs fail at setup with the reason and the SQLite ones still run. Run with
 * {@code sipp-scenarios/bench/jmh.sh server}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class RecordStoreBench {

  @Param({"sqlite", "postgresql"})
  public String store;

  /** Records per insert() call, i.e. per transaction. */
  @Param({"1", "100", "200"})
  public int batch;

  private RecordStore records;
  private Path dir;
  private String[] pg;
  private String schema;
  private long next;

  /** Records stored, reported by JMH as a rate next to the insert() calls. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Counted {
    public long records;
  }

  @Setup(Level.Trial)
  public void open() throws Exception {
    if (store.equals("sqlite")) {
      dir = Files.createTempDirectory("ringhook-bench-records");
      records = JdbcRecordStore.open("jdbc:sqlite:" + dir.resolve("records.db"), Optional.empty(), Optional.empty());
    } else {
      String url = System.getenv("RINGHOOK_TEST_PG_URL");
      String user = System.getenv("RINGHOOK_TEST_PG_USER");
      String password = System.getenv("RINGHOOK_TEST_PG_PASSWORD");
      if (url == null || url.isBlank() || user == null || password == null) {
        throw new IllegalStateException("no PostgreSQL: set RINGHOOK_TEST_PG_URL/USER/PASSWORD "
            + "(eval \"$(sh scripts/start-test-postgres.sh)\" and export them)");
      }
      pg = new String[] {url, user, password};
      schema = "rh_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      sql("CREATE SCHEMA " + schema);
      records = JdbcRecordStore.open(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
          Optional.of(user), Optional.of(password));
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    if (records != null) {
      records.close();
    }
    if (schema != null) {
      sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        System.err.println("RecordStoreBench: could not remove " + dir + ": " + e);
      }
    }
  }

  @Benchmark
  public void insert(Counted counted) throws RecordStore.StoreException {
    List<CallRecord> list = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      list.add(call("bench-" + next++));
    }
    records.insert(list);
    counted.records += batch;
  }

  /** A connected call as the load runs make them: answered, one webhook attempt, hung up by the caller. */
  static CallRecord call(String callId) {
    Instant received = Instant.ofEpochMilli(1_790_000_000_000L + callId.hashCode() % 1_000_000);
    CallDecision.Attempt attempt = new CallDecision.Attempt(1, received.plusMillis(1), Duration.ofMillis(3),
        OptionalInt.of(200), Optional.empty(), "");
    return new CallRecord(callId, callId + "@127.0.0.1", "", "127.0.0.1:5070", "+15550009999", "+15551000000",
        received, Optional.of(received.plusMillis(1)), Optional.of(received.plusMillis(4)),
        Optional.of(received.plusMillis(6)), received.plusMillis(9), "connected", 200, "caller",
        "BYE from the caller", Map.of("customer", "4242", "tier", "gold"), Optional.of("demo"), List.of(attempt));
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg[0], pg[1], pg[2]); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
