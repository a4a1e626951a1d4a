package io.ringhook.server.records;

import java.sql.Connection;
import java.sql.Statement;

/**
 * The records writer on the test PostgreSQL; the outage is the calls table renamed away behind the
 * store's back (inserts fail: relation "calls" does not exist) and back again.
 */
class PostgresRecordWriterTest extends RecordWriterContract {
  @Override
  TestDatabases.Db newDatabase() throws Exception {
    return TestDatabases.postgres();
  }

  @Override
  void breakStore() throws Exception {
    try (Connection c = db.raw(); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE calls RENAME TO calls_away");
    }
  }

  @Override
  void repairStore() throws Exception {
    try (Connection c = db.raw(); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE calls_away RENAME TO calls");
    }
  }
}
