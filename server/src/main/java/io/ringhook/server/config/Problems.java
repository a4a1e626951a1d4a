package io.ringhook.server.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The problems found while loading one configuration source, collected so that all are reported at once. */
final class Problems {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

  private final String source;
  private final List<ConfigProblem> list = new ArrayList<>();

  Problems(String source) {
    this.source = source;
  }

  void add(int line, String path, String shownValue, String message) {
    list.add(new ConfigProblem(source, Math.max(line, 0), path, Optional.ofNullable(shownValue), message));
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  /** Throws the collected problems, if there are any. */
  void throwIfAny() {
    if (!list.isEmpty()) {
      throw toException();
    }
  }

  /** The collected problems as an exception, sorted by line (stable: problems of one line keep their order). */
  ConfigException toException() {
    List<ConfigProblem> sorted = new ArrayList<>(list);
    sorted.sort(Comparator.comparingInt(ConfigProblem::line));
    return new ConfigException(sorted);
  }

  /** The path of a key under {@code parent}: {@code sip.port}, or {@code numbers."+1234"} for keys that need quotes. */
  static String child(String parent, String key) {
    String k = PLAIN_KEY.matcher(key).matches() ? key : quote(key);
    return parent.isEmpty() ? k : parent + "." + k;
  }

  /** The path of a list element under {@code parent}: {@code trunks[1]}. */
  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  /** A string in double quotes with JSON-style escapes, so that empty and odd values are visible. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
