package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringhook.server.records.CallRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScannerFilterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ScannerFilter filter = new ScannerFilter(5, now::get);

  private static CallRecord record(String outcome) {
    Instant t = Instant.parse("2026-11-27T10:42:00Z");
    return new CallRecord("id", "sip", "", "203.0.113.9:5060", "+1", "+2", t, Optional.empty(), Optional.empty(),
        Optional.empty(), t, outcome, 403, "ringhook", "", Map.of(), Optional.empty(), List.of());
  }

  @Test
  void aclRefusalsBeyondTheRateAreCountedNotStoredAndOtherOutcomesAlwaysPass() {
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += filter.admit(record("rejected_acl")) ? 1 : 0;
    }
    assertEquals(5, admitted, "the burst");
    assertEquals(95, filter.suppressed());
    for (int i = 0; i < 100; i++) {
      assertEquals(true, filter.admit(record("connected")));
      assertEquals(true, filter.admit(record("no_codec")));
    }
    now.addAndGet(1_000_000_000L); // a second later, five more
    admitted = 0;
    for (int i = 0; i < 10; i++) {
      admitted += filter.admit(record("rejected_acl")) ? 1 : 0;
    }
    assertEquals(5, admitted);
    assertEquals(100, filter.suppressed());
  }
}
