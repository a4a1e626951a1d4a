package io.ringhook.server.records;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The record store contract on a real SQLite file. */
class SqliteRecordStoreTest extends RecordStoreContract {
  @TempDir
  Path dir;

  @Override
  TestDatabases.Db newDatabase() {
    return TestDatabases.sqlite(dir, "");
  }
}
