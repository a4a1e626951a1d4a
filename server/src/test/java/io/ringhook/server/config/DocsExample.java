package io.ringhook.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example configuration of docs/configuration.md, so that the tests keep the documentation honest. */
final class DocsExample {
  static final Path DOC = Path.of("..", "docs", "configuration.md");

  private DocsExample() {}

  /** The YAML between the {@code example:begin} and {@code example:end} markers. */
  static String yaml() {
    String doc = read();
    int begin = doc.indexOf("<!-- example:begin -->");
    int end = doc.indexOf("<!-- example:end -->");
    if (begin < 0 || end < begin) {
      throw new AssertionError("example markers not found in " + DOC.toAbsolutePath());
    }
    String block = doc.substring(begin, end);
    int open = block.indexOf("```yaml\n");
    int close = block.lastIndexOf("```");
    return block.substring(open + "```yaml\n".length(), close);
  }

  static String read() {
    try {
      return Files.readString(DOC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
