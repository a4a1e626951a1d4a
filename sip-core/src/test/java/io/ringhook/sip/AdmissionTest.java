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

  private final SetupsInFlight setups = new SetupsInFlight(now::get);

  private Admission admission(Duration maxDelay, double rate, int burst, List<String> exempt) {
    return admission(new AdmissionSettings(maxDelay, Duration.ofSeconds(7), rate, burst, exempt, Duration.ZERO, 0));
  }

  private Admission admission(AdmissionSettings s) {
    return new Admission(s, waited::get, setups, new SourceLimiter(s.sourceRate(), s.sourceBurst(), s.sourceExempt(),
        now::get), now::get);
  }

  /** Only the set-up check: at most maxSetup of set-up, never refusing with minSetups or fewer in set-up. */
  private Admission setupAdmission(Duration maxSetup, int minSetups) {
    return admission(new AdmissionSettings(Duration.ZERO, Duration.ofSeconds(7), 0, 1, List.of(), maxSetup, minSetups));
  }

  /** {@code n} set-ups finished just now, then {@code inFlight} calls in set-up. */
  private void setUps(int finished, int inFlight) {
    for (int i = 0; i < finished; i++) {
      setups.enter();
      setups.finish();
    }
    for (int i = 0; i < inFlight; i++) {
      setups.enter();
    }
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

  @Test
  void admitsWhileTheCallsInSetUpGetThroughWithinTheLimit() {
    Admission a = setupAdmission(Duration.ofSeconds(1), 20);
    setUps(600, 600);
    assertEquals(Optional.empty(), a.check(caller), "600 in set-up at 600 a second: 1 s, not over 1 s");
    assertEquals(0, a.refused(Admission.Reason.OVERLOAD));
    assertEquals(List.of(), logs.list);
  }

  @Test
  void refusesOnceTheCallsInSetUpWouldTakeLongerThanTheLimitAndAdmitsAsTheyFinish() {
    Admission a = setupAdmission(Duration.ofSeconds(1), 20);
    setUps(600, 601);
    assertEquals(Optional.of(Admission.Reason.OVERLOAD), a.check(caller), "601 at 600 a second: over 1 s");
    setups.finish();
    setups.finish();
    assertEquals(Optional.empty(), a.check(caller), "599 at 602 a second");
    now.addAndGet(1_100 * MS);
    assertEquals(Optional.of(Admission.Reason.OVERLOAD), a.check(caller),
        "none finished over the last second: 599 in set-up would never get through");
    assertEquals(2, a.refused(Admission.Reason.OVERLOAD));
    String line = logs.list.get(0).getFormattedMessage();
    assertEquals("overload: refused 1 new INVITEs with 503 in the last 1000 ms (601 calls in set-up, 600 set-ups "
        + "finished in the last second, limit 1000 ms of set-up)", line);
  }

  @Test
  void neverRefusesWithMinSetupsOrFewerInSetUpEvenWithNoneFinished() {
    Admission a = setupAdmission(Duration.ofMillis(500), 200);
    setUps(0, 200);
    assertEquals(Optional.empty(), a.check(caller), "a server just started has finished no set-up yet");
    setups.enter();
    assertEquals(Optional.of(Admission.Reason.OVERLOAD), a.check(caller));
  }

  @Test
  void zeroSetupTimeNeverRefusesForSetUps() {
    Admission a = setupAdmission(Duration.ZERO, 0);
    setUps(0, 10_000);
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
