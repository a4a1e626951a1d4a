package io.ringhook.server.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code records} section: where call records and run-time number settings are stored.
 *
 * @param url            a JDBC URL: {@code jdbc:sqlite:FILE} (the default, {@code ringhook.db} in the
 *                       working directory) or {@code jdbc:postgresql://HOST:PORT/DB} (shared by several instances)
 * @param user           the database user (PostgreSQL)
 * @param password       the database password (PostgreSQL)
 * @param buffer         how many records are held in memory while the store is slow or down; beyond
 *                       that new records are dropped and counted
 * @param numbersRefresh how often the numbers set through the admin API are re-read from the store,
 *                       so that a change made on another instance takes effect here too
 */
public record RecordsSettings(String url, Optional<String> user, Optional<Secret> password, int buffer,
                              Duration numbersRefresh) {
  public static final RecordsSettings DEFAULTS =
      new RecordsSettings("jdbc:sqlite:ringhook.db", Optional.empty(), Optional.empty(), 10_000, Duration.ofSeconds(5));

  /** Never shows a password, whether in {@code password} or written into the URL. */
  @Override
  public String toString() {
    return "RecordsSettings[url=" + io.ringhook.server.records.JdbcRecordStore.redact(url) + ", user=" + user
        + ", password=" + password + ", buffer=" + buffer + ", numbersRefresh=" + numbersRefresh + "]";
  }

  public RecordsSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(numbersRefresh, "numbersRefresh");
    if (buffer < 1) {
      throw new IllegalArgumentException("buffer must be >= 1");
    }
  }
}
