package io.ringhook.server.records;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ringhook.sip.CallDecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RecordStore} on an SQLite file or a PostgreSQL database through a small HikariCP pool,
 * its schema migrated by Flyway from {@code db/migration/<vendor>} on the classpath when opened.
 */
public final class JdbcRecordStore implements RecordStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcRecordStore.class);

  private static final String SQLITE = "jdbc:sqlite:";
  private static final String POSTGRESQL = "jdbc:postgresql:";
  /** How long a caller waits for a pooled connection: bounds {@link #ping()} and every call while the database is down. */
  private static final long CONNECTION_TIMEOUT_MS = 2_000;

  private final HikariDataSource pool;
  private final String shownUrl;
  private final Clock clock = Clock.systemUTC();

  private JdbcRecordStore(HikariDataSource pool, String shownUrl) {
    this.pool = pool;
    this.shownUrl = shownUrl;
  }

  /**
   * Opens the store at {@code jdbcUrl} ({@code jdbc:sqlite:FILE}, a relative FILE being relative to
   * the working directory, or {@code jdbc:postgresql://HOST[:PORT]/DB}) and migrates its schema.
   *
   * @throws StoreException when the database cannot be reached, opened or migrated; the message
   *                        names the URL (password removed) and the cause
   */
  public static RecordStore open(String jdbcUrl, Optional<String> user, Optional<String> password)
      throws StoreException {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    String shown = redact(jdbcUrl);
    boolean sqlite = jdbcUrl.startsWith(SQLITE);
    if (!sqlite && !jdbcUrl.startsWith(POSTGRESQL)) {
      throw new StoreException("records store URL " + shown
          + " is not supported: use jdbc:sqlite:FILE or jdbc:postgresql://HOST:PORT/DATABASE", null);
    }
    if (sqlite) {
      checkSqlitePath(jdbcUrl, shown);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("ringhook-records");
    config.setJdbcUrl(jdbcUrl);
    config.setDriverClassName(sqlite ? "org.sqlite.JDBC" : "org.postgresql.Driver");
    user.ifPresent(config::setUsername);
    password.ifPresent(config::setPassword);
    // A few connections: one writer thread plus admin API reads; SQLite serialises writes anyway.
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    config.setValidationTimeout(1_000);
    config.setInitializationFailTimeout(1); // fail fast: open() throws when the first connection fails
    Map<String, String> defaults = sqlite
        // WAL lets the admin API read while the writer writes; busy_timeout waits out a short lock.
        ? Map.of("journal_mode", "WAL", "synchronous", "NORMAL", "busy_timeout", "5000", "foreign_keys", "true")
        : Map.of("connectTimeout", "5", "socketTimeout", "60", "tcpKeepAlive", "true", "ApplicationName", "ringhook");
    Set<String> inUrl = urlParameterNames(jdbcUrl);
    // A setting in the URL wins (the drivers would let these properties override it otherwise).
    defaults.forEach((k, v) -> {
      if (!inUrl.contains(k.toLowerCase(Locale.ROOT))) {
        config.addDataSourceProperty(k, v);
      }
    });
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open the records store " + shown + ": " + scrub(causes(e), password), e);
    }
    try {
      MigrateResult result = Flyway.configure(JdbcRecordStore.class.getClassLoader())
          .dataSource(pool)
          .locations("classpath:db/migration/" + (sqlite ? "sqlite" : "postgresql"))
          .failOnMissingLocations(true)
          .load()
          .migrate();
      LOG.info("records store {}: schema version {} ({} migration(s) applied)", shown,
          result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
          result.migrationsExecuted);
    } catch (FlywayException | IllegalStateException e) {
      pool.close();
      throw new StoreException("cannot migrate the records schema at " + shown + ": " + scrub(causes(e), password), e);
    }
    return new JdbcRecordStore(pool, shown);
  }

  @Override
  public void insert(List<CallRecord> records) throws StoreException {
    if (records.isEmpty()) {
      return;
    }
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement calls = c.prepareStatement(CallRows.INSERT_CALL);
           PreparedStatement attempts = c.prepareStatement(CallRows.INSERT_ATTEMPT);
           PreparedStatement deliveries = c.prepareStatement(DeliveryRows.INSERT)) {
        // One batch for the calls (one round trip to PostgreSQL, not one per call), then the
        // attempts of the calls that were new.
        for (CallRecord r : records) {
          CallRows.bindCall(calls, r);
          calls.addBatch();
        }
        int[] inserted = calls.executeBatch();
        boolean anyAttempt = false;
        boolean anyDelivery = false;
        for (int k = 0; k < records.size(); k++) {
          CallRecord r = records.get(k);
          if (inserted[k] == 0) {
            continue; // already stored (a retried batch, or a duplicate): keep the first, skip its attempts
          }
          if (r.callEnded().isPresent()) {
            DeliveryRows.bind(deliveries, r.callId(), r.callEnded().get(), clock.instant());
            deliveries.addBatch();
            anyDelivery = true;
          }
          for (int i = 0; i < r.attempts().size(); i++) {
            CallRows.bindAttempt(attempts, r.callId(), i, r.attempts().get(i));
            attempts.addBatch();
            anyAttempt = true;
          }
        }
        if (anyAttempt) {
          attempts.executeBatch();
        }
        if (anyDelivery) {
          deliveries.executeBatch();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw failed("store " + records.size() + " call record(s)", e);
    }
  }

  @Override
  public CallPage calls(CallQuery query) throws StoreException {
    Optional<PageCursor> after = query.cursor().map(PageCursor::decode);
    StringBuilder sql = new StringBuilder("SELECT ").append(CallRows.CALL_COLUMNS).append(" FROM calls WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    query.from().ifPresent(v -> { sql.append(" AND from_number = ?"); args.add(v); });
    query.to().ifPresent(v -> { sql.append(" AND to_number = ?"); args.add(v); });
    query.outcome().ifPresent(v -> { sql.append(" AND outcome = ?"); args.add(v); });
    query.since().ifPresent(v -> { sql.append(" AND received >= ?"); args.add(v.toEpochMilli()); });
    after.ifPresent(c -> {
      sql.append(" AND (received < ? OR (received = ? AND call_id < ?))");
      args.add(c.receivedMillis());
      args.add(c.receivedMillis());
      args.add(c.callId());
    });
    // One row more than asked tells whether another page exists.
    sql.append(" ORDER BY received DESC, call_id DESC LIMIT ?");
    args.add(query.limit() + 1);
    try (Connection c = pool.getConnection()) {
      List<CallRow> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(new CallRow(rs.getString("call_id"), rs.getLong("received"), CallRows.call(rs, List.of())));
          }
        }
      }
      boolean more = rows.size() > query.limit();
      if (more) {
        rows = rows.subList(0, query.limit());
      }
      List<String> ids = rows.stream().map(CallRow::callId).toList();
      Map<String, List<CallDecision.Attempt>> attempts = attempts(c, ids);
      Map<String, CallEndedDelivery> deliveries = DeliveryRows.of(c, ids);
      List<CallRecord> calls = rows.stream().map(r -> withAttempts(r.call(), attempts, deliveries)).toList();
      Optional<String> next = more
          ? Optional.of(new PageCursor(rows.get(rows.size() - 1).received(), rows.get(rows.size() - 1).callId()).encode())
          : Optional.empty();
      return new CallPage(calls, next);
    } catch (SQLException e) {
      throw failed("read call records", e);
    }
  }

  @Override
  public Optional<CallRecord> call(String callId) throws StoreException {
    Objects.requireNonNull(callId, "callId");
    try (Connection c = pool.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT " + CallRows.CALL_COLUMNS + " FROM calls WHERE call_id = ?")) {
      ps.setString(1, callId);
      CallRecord found;
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        found = CallRows.call(rs, List.of());
      }
      return Optional.of(withAttempts(found, attempts(c, List.of(callId)), DeliveryRows.of(c, List.of(callId))));
    } catch (SQLException e) {
      throw failed("read call record " + callId, e);
    }
  }

  @Override
  public List<String> claimDueDeliveries(Instant now, Instant leaseUntil, int limit) throws StoreException {
    try (Connection c = pool.getConnection()) {
      return DeliveryRows.claimDue(c, now, leaseUntil, limit);
    } catch (SQLException e) {
      throw failed("claim post-call deliveries", e);
    }
  }

  @Override
  public void deliveryAttempted(String callId, io.ringhook.sip.CallDecision.Attempt attempt, CallEndedDelivery.State state,
                                Optional<Instant> nextAt) throws StoreException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        DeliveryRows.attempted(c, callId, attempt, state, nextAt, clock.instant());
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw failed("record the post-call delivery of " + callId, e);
    }
  }

  @Override
  public boolean redeliver(String callId) throws StoreException {
    Instant now = clock.instant();
    try (Connection c = pool.getConnection()) {
      return DeliveryRows.setState(c, callId, CallEndedDelivery.State.PENDING, Optional.of(now), now);
    } catch (SQLException e) {
      throw failed("redeliver the post-call event of " + callId, e);
    }
  }

  @Override
  public List<NumberEntry> numbers() throws StoreException {
    try (Connection c = pool.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT " + CallRows.NUMBER_COLUMNS + " FROM numbers ORDER BY number");
         ResultSet rs = ps.executeQuery()) {
      List<NumberEntry> numbers = new ArrayList<>();
      while (rs.next()) {
        numbers.add(CallRows.number(rs));
      }
      return numbers;
    } catch (SQLException e) {
      throw failed("read numbers", e);
    }
  }

  @Override
  public Optional<NumberEntry> number(String e164) throws StoreException {
    Objects.requireNonNull(e164, "e164");
    try (Connection c = pool.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT " + CallRows.NUMBER_COLUMNS + " FROM numbers WHERE number = ?")) {
      ps.setString(1, e164);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(CallRows.number(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failed("read number " + e164, e);
    }
  }

  @Override
  public void putNumber(NumberEntry entry) throws StoreException {
    Objects.requireNonNull(entry, "entry");
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(CallRows.UPSERT_NUMBER)) {
      CallRows.bindNumber(ps, entry);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failed("store number " + entry.number(), e);
    }
  }

  @Override
  public boolean deleteNumber(String e164) throws StoreException {
    Objects.requireNonNull(e164, "e164");
    try (Connection c = pool.getConnection();
         PreparedStatement ps = c.prepareStatement("DELETE FROM numbers WHERE number = ?")) {
      ps.setString(1, e164);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw failed("delete number " + e164, e);
    }
  }

  /** Borrows a connection (waiting at most the pool's 2 s) and checks it within 1 s. */
  @Override
  public boolean ping() {
    try (Connection c = pool.getConnection()) {
      return c.isValid(1);
    } catch (SQLException e) {
      LOG.debug("records store {} does not answer: {}", shownUrl, causes(e));
      return false;
    }
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "JdbcRecordStore[" + shownUrl + "]";
  }

  /** Attempts of the given calls in one query, by call id, each list in its stored order. */
  private static Map<String, List<CallDecision.Attempt>> attempts(Connection c, List<String> callIds)
      throws SQLException {
    if (callIds.isEmpty()) {
      return Map.of();
    }
    String sql = "SELECT call_id, number, started, latency_ms, status, failure, detail FROM webhook_attempts "
        + "WHERE call_id IN (" + String.join(", ", Collections.nCopies(callIds.size(), "?")) + ") ORDER BY call_id, seq";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, new ArrayList<>(callIds));
      try (ResultSet rs = ps.executeQuery()) {
        return CallRows.attemptsByCall(rs);
      }
    }
  }

  private static CallRecord withAttempts(CallRecord r, Map<String, List<CallDecision.Attempt>> attempts,
                                         Map<String, CallEndedDelivery> deliveries) {
    return r.with(attempts.getOrDefault(r.callId(), List.of()), Optional.ofNullable(deliveries.get(r.callId())));
  }

  private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setString(i + 1, (String) a);
      }
    }
  }

  private StoreException failed(String what, Exception e) {
    return new StoreException("records store " + shownUrl + ": cannot " + what + ": " + causes(e), e);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it and the caller reports the first error
    }
  }

  /** The SQLite file must be creatable: say so plainly instead of SQLite's "out of memory" or "readonly". */
  private static void checkSqlitePath(String jdbcUrl, String shown) throws StoreException {
    String file = jdbcUrl.substring(SQLITE.length());
    int query = file.indexOf('?');
    if (query >= 0) {
      file = file.substring(0, query);
    }
    if (file.isEmpty() || file.contains(":memory:") || file.contains("mode=memory")) {
      throw new StoreException("records store URL " + shown
          + " is an in-memory SQLite database, which each pooled connection would see empty: name a file", null);
    }
    if (file.startsWith("file:")) {
      return; // a URI filename: let SQLite interpret it
    }
    Path path = Path.of(file).toAbsolutePath();
    Path dir = path.getParent();
    String where = "records store " + shown + " (file " + path + ")";
    if (Files.isDirectory(path)) {
      throw new StoreException(where + " is a directory: name a file in it", null);
    }
    if (Files.exists(path)) {
      if (!Files.isWritable(path)) {
        throw new StoreException(where + " is not writable", null);
      }
    } else if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new StoreException(where + ": " + dir + " is not a directory", null);
    } else if (dir == null || !Files.isDirectory(dir)) {
      throw new StoreException(where + ": directory " + dir + " does not exist; create it first", null);
    } else if (!Files.isWritable(dir)) {
      throw new StoreException(where + ": directory " + dir + " is not writable", null);
    }
  }

  private static Set<String> urlParameterNames(String jdbcUrl) {
    int q = jdbcUrl.indexOf('?');
    Set<String> names = new HashSet<>();
    if (q >= 0) {
      for (String pair : jdbcUrl.substring(q + 1).split("&")) {
        names.add(pair.split("=", 2)[0].toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  /** The URL without credentials: {@code password=...} parameters and {@code user:password@} are masked. */
  public static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^/@:]*):[^/@]*@", "//$1:***@");
  }

  /** Masks the password wherever a driver might have echoed it (a URL in a message, say). */
  private static String scrub(String message, Optional<String> password) {
    String m = redact(message);
    return password.filter(p -> !p.isEmpty()).map(p -> m.replace(p, "***")).orElse(m);
  }

  /** The messages of an exception and its causes, outermost first, without repeats. */
  static String causes(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
      if (!sb.toString().contains(m)) {
        sb.append(sb.length() == 0 ? "" : ": ").append(m);
      }
    }
    return sb.toString();
  }

  private record CallRow(String callId, long received, CallRecord call) {}
}
