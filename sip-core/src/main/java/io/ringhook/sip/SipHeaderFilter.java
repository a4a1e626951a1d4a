package io.ringhook.sip;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.sip.header.Header;
import javax.sip.message.Request;

/**
 * A trunk's allow-list of carrier INVITE headers that reach the agent (and, when asked, the
 * webhook): exact names ({@code Diversion}) or prefixes ({@code X-*}), matched case-insensitively.
 * What passes is bounded so a carrier (or a forged INVITE) cannot inflate the agent's {@code start}:
 * at most {@value #MAX_HEADERS} headers, each value at most {@value #MAX_VALUE} characters, control
 * characters replaced; repeated headers are joined with {@code ", "}.
 */
public final class SipHeaderFilter {
  static final int MAX_HEADERS = 20;
  static final int MAX_VALUE = 256;
  /** Passes nothing. */
  public static final SipHeaderFilter NONE = new SipHeaderFilter(List.of());

  private final List<String> exact = new ArrayList<>();
  private final List<String> prefixes = new ArrayList<>();

  private SipHeaderFilter(List<String> patterns) {
    for (String p : patterns) {
      String lower = p.toLowerCase(Locale.ROOT);
      if (lower.endsWith("*")) {
        prefixes.add(lower.substring(0, lower.length() - 1));
      } else {
        exact.add(lower);
      }
    }
  }

  /**
   * A filter passing the named headers.
   *
   * @param patterns header names, or a name prefix ending in {@code *}; checked with {@link #check}
   */
  public static SipHeaderFilter of(List<String> patterns) {
    Objects.requireNonNull(patterns, "patterns");
    patterns.forEach(SipHeaderFilter::check);
    return patterns.isEmpty() ? NONE : new SipHeaderFilter(patterns);
  }

  /**
   * Checks one pattern: a header name (RFC 3261 token characters), optionally ending in {@code *}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static String check(String pattern) {
    String name = pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
    if (name.isEmpty() && !pattern.isEmpty()) {
      throw new IllegalArgumentException("\"*\" alone would pass every header (Authorization, Via...): name them");
    }
    if (name.isEmpty() || !name.chars().allMatch(c -> c < 0x7f && (Character.isLetterOrDigit(c) || "-.!%+_`'~".indexOf(c) >= 0))) {
      throw new IllegalArgumentException("must be a SIP header name, or a name prefix ending in * (e.g. X-*)");
    }
    return pattern;
  }

  boolean passes(String headerName) {
    String lower = headerName.toLowerCase(Locale.ROOT);
    return exact.contains(lower) || prefixes.stream().anyMatch(lower::startsWith);
  }

  /** The request's headers that pass, by name as sent, in order. */
  Map<String, String> pick(Request request) {
    if (this == NONE) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    ListIterator<String> names = request.getHeaderNames();
    while (names.hasNext() && out.size() < MAX_HEADERS) {
      String name = names.next();
      if (!passes(name)) {
        continue;
      }
      List<String> values = new ArrayList<>();
      ListIterator<?> hs = request.getHeaders(name);
      while (hs.hasNext()) {
        values.add(value((Header) hs.next()));
      }
      out.put(name, clean(String.join(", ", values)));
    }
    return Collections.unmodifiableMap(out);
  }

  private static String value(Header h) {
    String s = h.toString();
    int colon = s.indexOf(':');
    return (colon >= 0 ? s.substring(colon + 1) : s).trim();
  }

  private static String clean(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_VALUE));
    for (int i = 0; i < s.length() && b.length() < MAX_VALUE; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString();
  }
}
