package io.ringhook.server.config;

import io.ringhook.server.config.YamlTree.Entry;
import io.ringhook.server.config.YamlTree.Kind;
import io.ringhook.server.config.YamlTree.ListNode;
import io.ringhook.server.config.YamlTree.MapNode;
import io.ringhook.server.config.YamlTree.Node;
import io.ringhook.server.config.YamlTree.Scalar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schema-independent half of binding: reads sections, scalars and lists out of a {@link YamlTree},
 * expands environment placeholders, and turns every mistake into a problem instead of an exception,
 * so that reading carries on and all problems are found in one pass.
 */
final class TreeReader {
  /** A parser of one scalar value; throws {@link IllegalArgumentException} with what is wrong. */
  interface Parser<T> {
    T parse(Val v);
  }

  /** A scalar after placeholder expansion, with how to show it in a problem. */
  record Val(String text, Kind kind, int line, String path, String shown) {}

  /**
   * The outcome of reading one key: absent (no value, no problem), failed (a problem was recorded),
   * or a value. Checks that combine several keys run only when none of them failed, so one mistake is
   * reported once.
   */
  record Field<T>(T value, boolean failed, int line, String path, String shown) {
    static <T> Field<T> absent(String path, int line) {
      return new Field<>(null, false, line, path, null);
    }

    static <T> Field<T> failed(String path, int line) {
      return new Field<>(null, true, line, path, null);
    }

    boolean present() {
      return value != null;
    }

    T or(T fallback) {
      return value != null ? value : fallback;
    }

    Optional<T> optional() {
      return Optional.ofNullable(value);
    }
  }

  /** A mapping whose keys have been checked against the allowed ones. */
  final class Section {
    final String path;
    final int line;
    final Map<String, Entry> entries = new LinkedHashMap<>();

    Section(Node node, String path, int line, List<String> keys) {
      this.path = path;
      this.line = node == null ? line : node.line();
      if (node instanceof MapNode map) {
        for (Entry e : map.entries()) {
          if (keys.contains(e.key())) {
            entries.put(e.key(), e);
          } else {
            String hint = Values.didYouMean(e.key(), keys).map(k -> " (did you mean \"" + k + "\"?)")
                .orElse(" (known keys: " + String.join(", ", keys) + ")");
            problems.add(e.line(), Problems.child(path, e.key()), null, "unknown key" + hint);
          }
        }
      } else if (node != null && !isNull(node)) {
        problems.add(node.line(), path, null, (path.isEmpty() ? "the file must be a mapping of sections " : "must be a mapping of ")
            + String.join(", ", keys) + ", not " + describe(node));
      }
    }

    /** The section under {@code key}; an absent or empty one has no entries. */
    Section section(String key, List<String> keys) {
      Entry e = entries.get(key);
      return new Section(e == null ? null : e.value(), Problems.child(path, key), e == null ? line : e.line(), keys);
    }

    Optional<Entry> entry(String key) {
      return Optional.ofNullable(entries.get(key));
    }

    <T> Field<T> read(String key, Parser<T> parser) {
      return read(key, false, parser);
    }

    <T> Field<T> read(String key, boolean secret, Parser<T> parser) {
      Entry e = entries.get(key);
      String p = Problems.child(path, key);
      return e == null ? Field.absent(p, line) : parse(e.value(), p, secret, parser);
    }

    /** Records that a required key is missing. */
    void missing(String key, String why) {
      problems.add(line, Problems.child(path, key), null, "is missing (" + why + ")");
    }
  }

  private final Problems problems;
  private final Map<String, String> env;

  TreeReader(Problems problems, Map<String, String> env) {
    this.problems = problems;
    this.env = env;
  }

  Problems problems() {
    return problems;
  }

  Section root(Optional<Node> root, List<String> keys) {
    return new Section(root.orElse(null), "", 0, keys);
  }

  Section section(Node node, String path, List<String> keys) {
    return new Section(node, path, node.line(), keys);
  }

  /** Parses one scalar node; a list, a mapping, a null or a bad placeholder is a problem. */
  <T> Field<T> parse(Node node, String path, boolean secret, Parser<T> parser) {
    if (!(node instanceof Scalar s)) {
      problems.add(node.line(), path, null, "must be a single value, not " + describe(node));
      return Field.failed(path, node.line());
    }
    if (s.kind() == Kind.NULL) {
      problems.add(s.line(), path, null, "has no value (remove the key to get the default)");
      return Field.failed(path, s.line());
    }
    String text = s.text();
    // An empty secret gives nothing away, and showing it as "" says exactly what is wrong.
    String shown = secret && !text.isEmpty() ? "(hidden)" : s.kind() == Kind.STRING ? Problems.quote(text) : text;
    if (s.kind() == Kind.STRING && Placeholders.present(text)) {
      try {
        String expanded = Placeholders.expand(text, env);
        shown = secret ? Problems.quote(text) : Problems.quote(expanded) + " (from " + Problems.quote(text) + ")";
        text = expanded;
      } catch (IllegalArgumentException e) {
        problems.add(s.line(), path, Problems.quote(text), e.getMessage());
        return Field.failed(path, s.line());
      }
    }
    try {
      T value = parser.parse(new Val(text, s.kind(), s.line(), path, shown));
      return new Field<>(value, false, s.line(), path, shown);
    } catch (IllegalArgumentException e) {
      problems.add(s.line(), path, shown, e.getMessage());
      return Field.failed(path, s.line());
    }
  }

  /**
   * The items of a list under {@code key}; a single scalar is taken as a list of one, so that
   * {@code allow: 10.0.0.0/8} means what it says.
   */
  Field<List<Node>> list(Section s, String key) {
    Optional<Entry> e = s.entry(key);
    String p = Problems.child(s.path, key);
    if (e.isEmpty()) {
      return Field.absent(p, s.line);
    }
    Node n = e.get().value();
    if (n instanceof ListNode l) {
      return new Field<>(l.items(), false, n.line(), p, null);
    }
    if (n instanceof Scalar sc && sc.kind() != Kind.NULL) {
      return new Field<>(List.of(n), false, n.line(), p, null);
    }
    problems.add(n.line(), p, null, isNull(n) ? "has no value (remove the key to get the default)"
        : "must be a list, not " + describe(n));
    return Field.failed(p, n.line());
  }

  static boolean isNull(Node n) {
    return n instanceof Scalar s && s.kind() == Kind.NULL;
  }

  static String describe(Node n) {
    if (n instanceof MapNode) {
      return "a mapping";
    } else if (n instanceof ListNode) {
      return "a list";
    }
    return "a single value";
  }
}
