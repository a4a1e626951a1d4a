package io.ringhook.server.records;

/** The record store contract on the test PostgreSQL, each test in a fresh schema. */
class PostgresRecordStoreTest extends RecordStoreContract {
  @Override
  TestDatabases.Db newDatabase() throws Exception {
    return TestDatabases.postgres();
  }
}
