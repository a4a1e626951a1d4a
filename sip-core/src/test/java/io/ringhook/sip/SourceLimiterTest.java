package io.ringhook.sip;

import static io.ringhook.sip.AdmissionTest.address;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SourceLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(5 * SECOND);
  private final InetAddress flood = address("203.0.113.9");

  @Test
  void sustainsTheRateAfterTheBurst() {
    SourceLimiter l = new SourceLimiter(100, 20, List.of(), now::get);
    int admitted = 0;
    // 10 s at 1,000 INVITEs a second: 20 at once, then 100 a second.
    for (int i = 0; i < 10_000; i++) {
      now.addAndGet(SECOND / 1000);
      if (l.admit(flood)) {
        admitted++;
      }
    }
    assertTrue(admitted >= 1_019 && admitted <= 1_021, "admitted " + admitted);
  }

  @Test
  void anIdleSourceGetsItsFullBurstBackButNoMore() {
    SourceLimiter l = new SourceLimiter(10, 3, List.of(), now::get);
    for (int i = 0; i < 3; i++) {
      assertTrue(l.admit(flood));
    }
    assertFalse(l.admit(flood));
    now.addAndGet(3600 * SECOND);
    for (int i = 0; i < 3; i++) {
      assertTrue(l.admit(flood));
    }
    assertFalse(l.admit(flood));
  }

  @Test
  void exemptNetworksAreNeverLimitedAndMatchIpv4Mapped() throws Exception {
    SourceLimiter l = new SourceLimiter(1, 1, List.of("192.0.2.0/24", "2001:db8::/32"), now::get);
    for (int i = 0; i < 100; i++) {
      assertTrue(l.admit(address("192.0.2.77")));
      assertTrue(l.admit(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) 192, 0, 2,
          78})));
      assertTrue(l.admit(address("2001:db8::5")));
    }
    assertTrue(l.admit(address("192.0.3.1")));
    assertFalse(l.admit(address("192.0.3.1")));
  }

  @Test
  void zeroRateIsNoLimit() {
    SourceLimiter l = new SourceLimiter(0, 1, List.of(), now::get);
    for (int i = 0; i < 1_000; i++) {
      assertTrue(l.admit(flood));
    }
  }

  @Test
  void spoofedSourcesCannotGrowTheMapBeyondItsBound() {
    SourceLimiter l = new SourceLimiter(1, 1, List.of(), now::get);
    for (int i = 0; i < 3 * SourceLimiter.MAX_SOURCES; i++) {
      l.admit(address("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)));
    }
    l.cleanUp();
    assertTrue(l.sources() <= SourceLimiter.MAX_SOURCES, "sources " + l.sources());
  }
}
