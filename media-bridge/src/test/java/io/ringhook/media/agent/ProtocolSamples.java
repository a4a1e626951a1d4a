package io.ringhook.media.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The message samples of docs/agent-protocol.md, read from the document itself so that the
 * document and the code cannot drift apart: each is a json block right after a
 * {@code <!-- sample: name -->} comment.
 */
final class ProtocolSamples {
  static final Path DOC = Path.of("..", "docs", "agent-protocol.md");
  private static final Pattern SAMPLE =
      Pattern.compile("<!-- sample: ([a-z/-]+) -->\\s*```json\\n(.*?)```", Pattern.DOTALL);

  private ProtocolSamples() {}

  static Map<String, String> load() {
    String text;
    try {
      text = Files.readString(DOC, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DOC.toAbsolutePath(), e);
    }
    Map<String, String> samples = new LinkedHashMap<>();
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      if (samples.put(m.group(1), m.group(2)) != null) {
        throw new IllegalStateException("sample " + m.group(1) + " appears twice in " + DOC);
      }
    }
    return samples;
  }
}
