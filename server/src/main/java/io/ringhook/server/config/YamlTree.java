package io.ringhook.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML document read into a small tree whose nodes remember their line, so that every problem can
 * say where it is.
 *
 * <p>Read from Jackson's streaming parser rather than {@code readTree} because the tree API forgets
 * lines, silently keeps the last of two duplicate keys, and turns an alias into its anchor's name.
 */
final class YamlTree {
  private static final YAMLFactory FACTORY = new YAMLFactory();

  /** How YAML typed a scalar; quoted scalars are always {@link #STRING}. */
  enum Kind { STRING, INT, FLOAT, BOOL, NULL }

  /** A node of the tree. */
  sealed interface Node permits MapNode, ListNode, Scalar {
    int line();
  }

  /** One key of a mapping, with the line of the key itself (where an unknown key is reported). */
  record Entry(String key, int line, Node value) {}

  /** A YAML mapping, keys in file order. */
  record MapNode(List<Entry> entries, int line) implements Node {}

  /** A YAML sequence. */
  record ListNode(List<Node> items, int line) implements Node {}

  /** A YAML scalar: its text as written (without quotes) and how YAML typed it. */
  record Scalar(String text, Kind kind, int line) implements Node {}

  private final JsonParser parser;
  private final Problems problems;

  private YamlTree(JsonParser parser, Problems problems) {
    this.parser = parser;
    this.problems = problems;
  }

  /**
   * Reads one YAML document. An empty document (or one of comments only) gives an empty result;
   * a syntax error is added to {@code problems} and also gives an empty result.
   */
  static Optional<Node> read(String yaml, Problems problems) {
    try (JsonParser p = FACTORY.createParser(yaml)) {
      YamlTree tree = new YamlTree(p, problems);
      JsonToken first = p.nextToken();
      if (first == null) {
        return Optional.empty();
      }
      Node root = tree.node(first, "");
      if (p.nextToken() != null) {
        problems.add(line(p), "", null, "only one YAML document is allowed (found a second one after ---)");
      }
      return Optional.of(root);
    } catch (JsonProcessingException e) {
      syntaxError(e, problems);
      return Optional.empty();
    } catch (IOException e) {
      problems.add(0, "", null, "cannot read YAML: " + e.getMessage());
      return Optional.empty();
    }
  }

  private Node node(JsonToken token, String path) throws IOException {
    int line = line(parser);
    switch (token) {
      case START_OBJECT -> {
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_OBJECT) {
          String key = parser.currentName();
          int keyLine = line(parser);
          Node value = node(parser.nextToken(), Problems.child(path, key));
          Integer first = seen.putIfAbsent(key, keyLine);
          if (first != null) {
            problems.add(keyLine, Problems.child(path, key), null,
                "duplicate key (first given at line " + first + ")");
          } else {
            entries.add(new Entry(key, keyLine, value));
          }
          assert t == JsonToken.FIELD_NAME;
        }
        return new MapNode(List.copyOf(entries), line);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
          items.add(node(t, Problems.index(path, items.size())));
        }
        return new ListNode(List.copyOf(items), line);
      }
      default -> {
        if (parser instanceof YAMLParser yp && yp.isCurrentAlias()) {
          problems.add(line, path, "*" + parser.getText(),
              "YAML aliases are not supported; write the value out");
        }
        return new Scalar(token == JsonToken.VALUE_NULL ? "" : parser.getText(), kind(token), line);
      }
    }
  }

  private static Kind kind(JsonToken token) {
    return switch (token) {
      case VALUE_STRING -> Kind.STRING;
      case VALUE_NUMBER_INT -> Kind.INT;
      case VALUE_NUMBER_FLOAT -> Kind.FLOAT;
      case VALUE_TRUE, VALUE_FALSE -> Kind.BOOL;
      case VALUE_NULL -> Kind.NULL;
      default -> Kind.STRING; // embedded objects do not occur in YAML text
    };
  }

  private static int line(JsonParser p) {
    return Math.max(p.currentTokenLocation().getLineNr(), 0);
  }

  /** Reports a syntax error in SnakeYAML's words, as one line, at the line where the parser gave up. */
  private static void syntaxError(JsonProcessingException e, Problems problems) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
        int line = m.getProblemMark() == null ? 0 : m.getProblemMark().getLine() + 1;
        String context = m.getContext() == null ? "" : " (" + oneLine(m.getContext())
            + (m.getContextMark() == null ? "" : " at line " + (m.getContextMark().getLine() + 1)) + ")";
        problems.add(line, "", null, "YAML syntax error: " + oneLine(m.getProblem()) + context);
        return;
      }
    }
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    problems.add(line, "", null, "YAML syntax error: " + oneLine(e.getOriginalMessage()));
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }
}
