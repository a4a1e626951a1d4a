package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SetupsInFlightTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(5_000 * MS);
  private final SetupsInFlight setups = new SetupsInFlight(now::get);

  @Test
  void countsCallsInSetUpAndLeavesOutThoseWaitingForTheirWebhook() {
    setups.enter();
    setups.enter();
    setups.enter();
    assertEquals(3, setups.inFlight());
    setups.pause();
    assertEquals(2, setups.inFlight(), "a call waiting for its webhook is not in set-up");
    assertEquals(0, setups.finishedLastSecond(), "nor did it finish its set-up");
    setups.enter();
    setups.finish();
    assertEquals(2, setups.inFlight());
    assertEquals(1, setups.finishedLastSecond());
  }

  @Test
  void theFinishRateCoversTheLastSecondOnly() {
    for (int i = 0; i < 10; i++) {
      if (i > 0) {
        now.addAndGet(100 * MS);
      }
      setups.enter();
      setups.finish();
    }
    assertEquals(10, setups.finishedLastSecond(), "one in each tenth of the last second, this one included");
    now.addAndGet(350 * MS);
    assertEquals(7, setups.finishedLastSecond(), "the three oldest tenths have slid out");
    setups.enter();
    setups.finish();
    assertEquals(8, setups.finishedLastSecond());
    now.addAndGet(2_000 * MS);
    assertEquals(0, setups.finishedLastSecond(), "nothing finished for two seconds");
    setups.enter();
    setups.finish();
    assertEquals(1, setups.finishedLastSecond(), "a slot reused after its second is counted afresh");
  }
}
