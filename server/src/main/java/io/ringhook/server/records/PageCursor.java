package io.ringhook.server.records;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The position after the last call of a page: its received time (epoch millis) and call id, the
 * same key the pages are ordered by, so the next page starts strictly after it even when many calls
 * share one millisecond. Encoded as opaque base64url text so clients cannot come to depend on it.
 */
record PageCursor(long receivedMillis, String callId) {
  private static final String VERSION = "c1";

  String encode() {
    String plain = VERSION + ":" + receivedMillis + ":" + callId;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a cursor from {@link #encode()}; anything else is an {@link IllegalArgumentException}. */
  static PageCursor decode(String cursor) {
    String plain;
    try {
      plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid(cursor);
    }
    // The call id may itself contain ':' so split only the first two.
    String[] parts = plain.split(":", 3);
    if (parts.length != 3 || !parts[0].equals(VERSION) || parts[2].isEmpty()) {
      throw invalid(cursor);
    }
    try {
      return new PageCursor(Long.parseLong(parts[1]), parts[2]);
    } catch (NumberFormatException e) {
      throw invalid(cursor);
    }
  }

  private static IllegalArgumentException invalid(String cursor) {
    String shown = cursor.length() > 40 ? cursor.substring(0, 40) + "..." : cursor;
    return new IllegalArgumentException("invalid cursor '" + shown
        + "': pass the next_cursor of the previous page unchanged, or no cursor for the newest page");
  }
}
