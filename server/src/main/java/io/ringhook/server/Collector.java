package io.ringhook.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;

/**
 * Which garbage collector the JVM chose, and a warning when it is the Serial one. A JVM that sees one CPU
 * or less than about 2 GB of memory (a small container, {@code taskset} to one core) picks Serial by itself;
 * under load its full collections stopped every call for 0.1-0.4 s every 10-16 s, and the admission check
 * refused what arrived meanwhile, where G1 on the same core had none (BENCHMARKS.md, issue 14, session 14).
 */
final class Collector {
  private Collector() {}

  /** The running JVM's collectors, e.g. {@code [G1 Young Generation, G1 Old Generation]}. */
  static List<String> names() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList();
  }

  /** The warning to log for these collectors, if any: only Serial's ("Copy", "MarkSweepCompact") gets one. */
  static Optional<String> advice(List<String> names, int cpus, long maxHeapBytes) {
    if (!names.contains("MarkSweepCompact")) {
      return Optional.empty();
    }
    return Optional.of("the JVM chose the Serial garbage collector (it sees " + cpus + (cpus == 1 ? " CPU" : " CPUs")
        + ", heap at most " + maxHeapBytes / (1024 * 1024) + " MB): under load its full collections stop every "
        + "call for tenths of a second and the admission check refuses what arrives meanwhile; start the JVM "
        + "with -XX:+UseG1GC (scripts/run.sh does; docs/sizing.md)");
  }
}
