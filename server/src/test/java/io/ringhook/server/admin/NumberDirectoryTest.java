package io.ringhook.server.admin;

import io.ringhook.server.peers.LogCapture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.admin.EffectiveNumber.Source;
import io.ringhook.server.config.ConfigLoader;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.config.Secret;
import io.ringhook.server.records.JdbcRecordStore;
import io.ringhook.server.records.NumberEntry;
import io.ringhook.server.records.RecordStore;
import io.ringhook.testing.Await;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live view of numbers: precedence of run-time entries over the file's, and the refresh from the store. */
class NumberDirectoryTest {
  private static final Instant T = Instant.parse("2025-01-31T10:42:00Z");
  private static final String FILE_NUMBER = "+15550000001";
  private static final String PLAIN_NUMBER = "+15550000002";
  private static final String API_NUMBER = "+15550000003";

  @TempDir
  Path dir;
  private final RingConfig config = ConfigLoader.parse(AdminFixture.YAML, Map.of());

  @Test
  void withoutRuntimeEntriesTheFileApplies() {
    NumberDirectory d = new NumberDirectory(config);
    EffectiveNumber n = d.lookup(FILE_NUMBER).orElseThrow();
    assertEquals(Optional.of(URI.create("https://file.example.com/hook")), n.webhookUrl());
    assertEquals(Optional.of("file-secret"), n.secret().map(Secret::value));
    assertEquals("sales", n.agent());
    assertEquals(Duration.ofSeconds(5), n.webhook().timeout());
    assertEquals(Source.FILE, n.source());
    assertEquals(Optional.empty(), n.updated());
    assertEquals("support", d.lookup(PLAIN_NUMBER).orElseThrow().agent()); // default_agent
    assertEquals(Optional.empty(), d.lookup(API_NUMBER));
    assertEquals(List.of(FILE_NUMBER, PLAIN_NUMBER), d.all().stream().map(EffectiveNumber::number).toList());
    assertEquals(List.of("demo", "echo", "sales", "support"), List.copyOf(d.agentNames()));
  }

  @Test
  void aRuntimeEntryReplacesUrlSecretAndAgentAsAWhole() {
    NumberDirectory d = new NumberDirectory(config);
    d.putRuntime(entry(FILE_NUMBER, null, null, null));
    EffectiveNumber n = d.lookup(FILE_NUMBER).orElseThrow();
    assertEquals(Optional.empty(), n.webhookUrl()); // no webhook, though the file has one
    assertEquals(Optional.empty(), n.secret());
    assertEquals("support", n.agent()); // default_agent, not the file's sales
    assertEquals(Duration.ofSeconds(5), n.webhook().timeout()); // still the file's
    assertEquals(1, n.webhook().retries());
    assertEquals(Source.API_OVER_FILE, n.source());
    assertEquals(Optional.of(T), n.updated());

    d.putRuntime(entry(FILE_NUMBER, "http://127.0.0.1:9000/in", "k", "demo"));
    n = d.lookup(FILE_NUMBER).orElseThrow();
    assertEquals(Optional.of(URI.create("http://127.0.0.1:9000/in")), n.webhookUrl());
    assertEquals(Optional.of("k"), n.secret().map(Secret::value));
    assertEquals("demo", n.agent());

    d.putRuntime(entry(API_NUMBER, "https://api.example.com/in", null, "sales"));
    EffectiveNumber api = d.lookup(API_NUMBER).orElseThrow();
    assertEquals(Source.API, api.source());
    assertEquals(Duration.ofSeconds(7), api.webhook().timeout()); // the webhook section
    assertEquals(List.of(FILE_NUMBER, PLAIN_NUMBER, API_NUMBER),
        d.all().stream().map(EffectiveNumber::number).toList());

    d.removeRuntime(FILE_NUMBER);
    assertEquals(Source.FILE, d.lookup(FILE_NUMBER).orElseThrow().source());
    assertEquals("sales", d.lookup(FILE_NUMBER).orElseThrow().agent());
    d.replaceRuntime(List.of());
    assertEquals(Optional.empty(), d.lookup(API_NUMBER));
  }

  @Test
  void storedValuesThisInstanceCannotUseAreNotApplied() {
    NumberDirectory d = new NumberDirectory(config);
    try (LogCapture logs = LogCapture.of(NumberDirectory.class)) {
      d.replaceRuntime(List.of(entry(FILE_NUMBER, "ftp://x.example/in", null, "demo"),
          entry(API_NUMBER, null, null, "elsewhere-agent")));
      assertEquals(2, logs.atLeast(ch.qos.logback.classic.Level.WARN).size(), logs.messages().toString());
    }
    // A bad URL: the file's entry stays in force.
    assertEquals(Source.FILE, d.lookup(FILE_NUMBER).orElseThrow().source());
    // An agent another instance has but this one lacks: default_agent.
    assertEquals("support", d.lookup(API_NUMBER).orElseThrow().agent());
  }

  @Test
  void theRefreshFollowsTheStore() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService blocking = Executors.newSingleThreadExecutor();
    try (RecordStore store = open(); RecordStore other = open()) {
      store.putNumber(entry(API_NUMBER, null, null, "demo"));
      NumberDirectory d = new NumberDirectory(config);
      try (AutoCloseable refresh = d.startRefresh(store, blocking, timer, Duration.ofMillis(20))) {
        await(() -> d.lookup(API_NUMBER).isPresent());
        // Another instance changes the shared database.
        other.putNumber(entry(FILE_NUMBER, "https://other.example.com/in", null, null));
        other.deleteNumber(API_NUMBER);
        await(() -> d.lookup(FILE_NUMBER).orElseThrow().source() == Source.API_OVER_FILE
            && d.lookup(API_NUMBER).isEmpty());
        assertEquals(Optional.of(URI.create("https://other.example.com/in")),
            d.lookup(FILE_NUMBER).orElseThrow().webhookUrl());
      }
    } finally {
      timer.shutdownNow();
      blocking.shutdownNow();
    }
  }

  @Test
  void aFailedRefreshKeepsTheLastView() throws Exception {
    RecordStore store = open();
    store.putNumber(entry(API_NUMBER, null, null, "demo"));
    NumberDirectory d = new NumberDirectory(config);
    d.reload(store);
    assertEquals(Source.API, d.lookup(API_NUMBER).orElseThrow().source());
    store.close();
    assertThrows(RecordStore.StoreException.class, () -> d.reload(store));
    try (LogCapture logs = LogCapture.of(NumberDirectory.class)) {
      d.refreshOnce(store);
      assertTrue(logs.messages().get(0).startsWith("cannot refresh the run-time numbers, keeping the last ones read"),
          logs.messages().toString());
    }
    assertEquals(Source.API, d.lookup(API_NUMBER).orElseThrow().source());
  }

  @Test
  void aReadOlderThanALocalChangeIsNotApplied() throws Exception {
    try (RecordStore store = open()) {
      NumberDirectory d = new NumberDirectory(config);
      long mark = d.mark();
      List<NumberEntry> read = store.numbers(); // empty: read before the PUT below was stored
      NumberEntry put = entry(API_NUMBER, null, null, "demo");
      store.putNumber(put);
      d.putRuntime(put);
      d.applyRead(mark, read);
      assertTrue(d.lookup(API_NUMBER).isPresent(), "the stale read undid the PUT");
      // The next read has it.
      d.refreshOnce(store);
      assertTrue(d.lookup(API_NUMBER).isPresent());
      store.deleteNumber(API_NUMBER);
      d.refreshOnce(store);
      assertEquals(Optional.empty(), d.lookup(API_NUMBER));
    }
  }

  @Test
  void theIntervalMustBePositive() {
    NumberDirectory d = new NumberDirectory(config);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (RecordStore store = open()) {
      assertThrows(IllegalArgumentException.class, () -> d.startRefresh(store, Runnable::run, timer, Duration.ZERO));
    } catch (RecordStore.StoreException e) {
      throw new AssertionError(e);
    } finally {
      timer.shutdownNow();
    }
  }

  private RecordStore open() throws RecordStore.StoreException {
    return JdbcRecordStore.open("jdbc:sqlite:" + dir.resolve("records.db"), Optional.empty(), Optional.empty());
  }

  private static NumberEntry entry(String number, String url, String secret, String agent) {
    return new NumberEntry(number, Optional.ofNullable(url), Optional.ofNullable(secret), Optional.ofNullable(agent), T);
  }

  private static void await(BooleanSupplier condition) {
    Await.until("the directory's refresh", Duration.ofSeconds(10), condition);
  }
}
