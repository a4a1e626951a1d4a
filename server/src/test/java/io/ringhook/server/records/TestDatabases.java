package io.ringhook.server.records;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The two real databases the records tests run against: an SQLite file in a temporary directory,
 * and the PostgreSQL named by RINGHOOK_TEST_PG_URL/USER/PASSWORD (scripts/start-test-postgres.sh
 * starts one), each test class in a fresh schema of its own that is dropped afterwards. Public for
 * the integration tests that run ringhook processes on the same PostgreSQL (ClusterIT).
 */
public final class TestDatabases {
  private TestDatabases() {}

  /** Where a store under test lives, and a way to reach it behind the store's back. */
  public interface Db extends AutoCloseable {
    String url();

    Optional<String> user();

    Optional<String> password();

    /** A plain JDBC connection to the same database (and schema), outside the store's pool. */
    Connection raw() throws SQLException;

    @Override
    void close() throws SQLException;
  }

  static Db sqlite(Path dir, String urlParameters) {
    Path file = dir.resolve("records-" + UUID.randomUUID() + ".db");
    String url = "jdbc:sqlite:" + file + urlParameters;
    return new Db() {
      public String url() { return url; }
      public Optional<String> user() { return Optional.empty(); }
      public Optional<String> password() { return Optional.empty(); }
      public Connection raw() throws SQLException { return DriverManager.getConnection("jdbc:sqlite:" + file); }
      public void close() {}
    };
  }

  /** The test PostgreSQL's URL, user and password; skips the test (fails it when CI=true) without them. */
  static String[] postgresEnv() {
    String url = System.getenv("RINGHOOK_TEST_PG_URL");
    String user = System.getenv("RINGHOOK_TEST_PG_USER");
    String password = System.getenv("RINGHOOK_TEST_PG_PASSWORD");
    if (url == null || url.isBlank() || user == null || password == null) {
      String why = "RINGHOOK_TEST_PG_URL/USER/PASSWORD not set: start one with "
          + "eval \"$(sh scripts/start-test-postgres.sh)\" and export them (scripts/test.sh does)";
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true but " + why);
      }
      Assumptions.abort("PostgreSQL tests skipped: " + why);
    }
    return new String[] {url, user, password};
  }

  /** A fresh, empty schema in the test PostgreSQL; closing the Db drops it with everything in it. */
  public static Db postgres() throws SQLException {
    String[] env = postgresEnv();
    String schema = "rh_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(env[0], env[1], env[2]); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    String url = env[0] + (env[0].contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new Db() {
      public String url() { return url; }
      public Optional<String> user() { return Optional.of(env[1]); }
      public Optional<String> password() { return Optional.of(env[2]); }
      public Connection raw() throws SQLException { return DriverManager.getConnection(url, env[1], env[2]); }
      public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(env[0], env[1], env[2]); Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
      }
    };
  }
}
