package io.ringhook.webhook;

/**
 * A logfmt value: free text (a failure's detail) in double quotes with backslash, quote and line
 * breaks escaped, so that a CRM's JSON in it cannot end the value early or split the line.
 */
final class Logfmt {
  private Logfmt() {
  }

  /** {@code text} as a quoted logfmt value, e.g. {@code "HTTP 500: {\"error\":\"down\"}"}. */
  static String quote(String text) {
    StringBuilder b = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(c < 0x20 ? ' ' : c);
      }
    }
    return b.append('"').toString();
  }
}
