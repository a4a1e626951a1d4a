package io.ringhook.server.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One thing wrong with a configuration file: where it is, what was written there, and what is wrong.
 *
 * <p>{@link #toString()} gives the compiler-style line that start-up prints, e.g.
 * {@code ringhook.yaml:3: sip.port = 70000: must be a port number 1..65535}.
 *
 * @param source  the file name (or {@code <defaults>} / {@code <string>}), for the message
 * @param line    the 1-based line in the file, or 0 when the problem has no single place
 * @param path    the key path, e.g. {@code trunks[1].allow[0]} or {@code numbers."+12345678913".agent}
 * @param value   the offending value as written (strings quoted; secrets never expanded), if any
 * @param message what is wrong, and when it helps, what would be right
 */
public record ConfigProblem(String source, int line, String path, Optional<String> value, String message) {
  public ConfigProblem {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(message, "message");
    if (line < 0) {
      throw new IllegalArgumentException("line must be >= 0, got " + line);
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(source);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (!path.isEmpty()) {
      b.append(path);
      value.ifPresent(v -> b.append(" = ").append(v));
      b.append(": ");
    }
    return b.append(message).toString();
  }
}
