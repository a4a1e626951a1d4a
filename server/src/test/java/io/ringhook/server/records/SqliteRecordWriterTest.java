package io.ringhook.server.records;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records writer on a real SQLite file; the outage is another connection holding the database's
 * write lock ({@code BEGIN EXCLUSIVE}), so the store's inserts fail with SQLITE_BUSY after its
 * busy_timeout (shortened through the URL to keep the test quick).
 */
class SqliteRecordWriterTest extends RecordWriterContract {
  @TempDir
  Path dir;
  private Connection locker;

  @Override
  TestDatabases.Db newDatabase() {
    return TestDatabases.sqlite(dir, "?busy_timeout=50");
  }

  @Override
  void breakStore() throws Exception {
    locker = db.raw();
    try (Statement s = locker.createStatement()) {
      s.execute("PRAGMA busy_timeout = 0");
      s.execute("BEGIN EXCLUSIVE");
    }
  }

  @Override
  void repairStore() throws Exception {
    try (Statement s = locker.createStatement()) {
      s.execute("ROLLBACK");
    }
    locker.close();
  }
}
