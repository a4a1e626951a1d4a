package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CollectorTest {
  @Test
  void serialGetsAWarningThatNamesTheCpusTheHeapAndTheOption() {
    String warning = Collector.advice(List.of("Copy", "MarkSweepCompact"), 1, 1024L * 1024 * 1024).orElseThrow();
    assertTrue(warning.contains("Serial"), warning);
    assertTrue(warning.contains("sees 1 CPU,"), warning);
    assertTrue(warning.contains("heap at most 1024 MB"), warning);
    assertTrue(warning.contains("-XX:+UseG1GC"), warning);
  }

  @Test
  void otherCollectorsGetNone() {
    long heap = 512L * 1024 * 1024;
    assertEquals(Optional.empty(), Collector.advice(List.of("G1 Young Generation", "G1 Old Generation"), 1, heap));
    assertEquals(Optional.empty(), Collector.advice(List.of("PS Scavenge", "PS MarkSweep"), 2, heap));
    assertEquals(Optional.empty(), Collector.advice(List.of("ZGC Cycles", "ZGC Pauses"), 4, heap));
  }
}
