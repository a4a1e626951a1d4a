package io.ringhook.server.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The "did you mean" of ringhook's error messages (configuration keys, admin API fields and
 * parameters): the candidate nearest to a mistyped name, when one is near enough.
 */
public final class DidYouMean {
  private DidYouMean() {}

  /**
   * The candidate closest to {@code given} by edit distance (case and {@code -}/{@code _} ignored;
   * a candidate that only adds a prefix or a {@code _url} suffix counts as one edit), when at most 1
   * (names of up to 3 characters) or 2 edits away.
   */
  public static Optional<String> of(String given, Collection<String> candidates) {
    String g = given.toLowerCase(Locale.ROOT).replace('-', '_');
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = c.endsWith("_" + g) || c.endsWith(g + "_url") ? 1 : distance(g, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    int allowed = g.length() <= 3 ? 1 : 2;
    return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  /** The Levenshtein distance between two strings. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
