package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AdmissionTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final AtomicLong waited = new AtomicLong();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger log = (Logger) LoggerFactory.getLogger(Admission.class);
  private final InetAddress caller = address("198.51.100.7");

  @BeforeEach
  void capture() {
    logs.start();
    log.addAppender(logs);
    log.setAdditive(false);
  }

  @AfterEach
  void release() {
    log.detachAppender(logs);
    log.setAdditive(true);
  }

  private Admission admission(Duration maxDelay, double rate, int burst, List<String> exempt) {
    AdmissionSettings s = new AdmissionSettings(maxDelay, Duration.ofSeconds(7), rate, burst, exempt);
    return new Admission(s, waited::get, new SourceLimiter(rate, burst, exempt, now::get), now::get);
  }

  @Test
  void admitsWhileWorkWaitsNoLongerThanTheLimit() {
    Admission a = admission(Duration.ofMillis(200), 0, 1, List.of());
    waited.set(200);
    for (int i = 0; i < 1000; i++) {
      assertEquals(Optional.empty(), a.check(caller));
    }
    assertEquals(0, a.refused(Admission.Reason.OVERLOAD));
    assertEquals(List.of(), logs.list);
  }

  @Test
  void refusesWhileTheOldestWorkIsOverTheLimitAndAdmitsOnceItCatchesUp() {
    Admission a = admission(Duration.ofMillis(200), 0, 1, List.of());
    waited.set(201);
    assertEquals(Optional.of(Admission.Reason.OVERLOAD), a.check(caller));
    assertEquals(Optional.of(Admission.Reason.OVERLOAD), a.check(caller));
    waited.set(3);
    assertEquals(Optional.empty(), a.check(caller));
    assertEquals(2, a.refused(Admission.Reason.OVERLOAD));
    assertEquals(7, a.retryAfterSeconds());
  }

  @Test
  void zeroDelayLimitNeverRefusesForOverload() {
    Admission a = admission(Duration.ZERO, 0, 1, List.of());
    waited.set(60_000);
    assertEquals(Optional.empty(), a.check(caller));
  }

  @Test
  void logsAtMostOneLinePerSecondWithTheCount() {
    Admission a = admission(Duration.ofMillis(100), 0, 1, List.of());
    waited.set(450);
    a.check(caller);
    assertEquals(1, logs.list.size());
    for (int i = 0; i < 499; i++) {
      now.addAndGet(MS);
      a.check(caller);
    }
    assertEquals(1, logs.list.size(), "no second line within the second");
    now.addAndGet(501 * MS);
    waited.set(900);
    a.check(caller);
    assertEquals(2, logs.list.size());
    String line = logs.list.get(1).getFormattedMessage();
    assertTrue(line.startsWith("overload: refused 500 new INVITEs with 503 in the last 1000 ms"), line);
    assertTrue(line.contains("oldest waiting work 900 ms, limit 100 ms"), line);
    assertEquals(501, a.refused(Admission.Reason.OVERLOAD));
  }

  @Test
  void sourceOverItsRateIsRefusedAndOthersAreNot() {
    Admission a = admission(Duration.ofMillis(500), 10, 5, List.of());
    for (int i = 0; i < 5; i++) {
      assertEquals(Optional.empty(), a.check(caller), "within the burst");
    }
    assertEquals(Optional.of(Admission.Reason.SOURCE_LIMIT), a.check(caller));
    assertEquals(Optional.empty(), a.check(address("198.51.100.8")), "another source has its own bucket");
    now.addAndGet(100 * MS);
    assertEquals(Optional.empty(), a.check(caller), "one token back after 1/rate");
    assertEquals(Optional.of(Admission.Reason.SOURCE_LIMIT), a.check(caller));
    assertEquals(2, a.refused(Admission.Reason.SOURCE_LIMIT));
    assertEquals(0, a.refused(Admission.Reason.OVERLOAD));
    assertTrue(logs.list.get(0).getFormattedMessage().contains("latest from 198.51.100.7"));
  }

  @Test
  void overloadIsCheckedBeforeTheSourceLimitSoItDoesNotSpendTokens() {
    Admission a = admission(Duration.ofMillis(100), 10, 1, List.of());
    waited.set(1_000);
    assertEquals(Optional.of(Admission.Reason.OVERLOAD), a.check(caller));
    waited.set(0);
    assertEquals(Optional.empty(), a.check(caller));
  }

  static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
