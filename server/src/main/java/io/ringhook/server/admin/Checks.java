package io.ringhook.server.admin;

import io.ringhook.server.config.DidYouMean;
import io.ringhook.server.config.Rules;
import java.net.URI;
import java.util.Collection;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The admin API's checks of single values; each throws {@link IllegalArgumentException} with a
 * message that says what to write instead. Numbers and URLs follow the configuration file's
 * {@link Rules}.
 */
final class Checks {
  static final int MAX_SECRET_LENGTH = 1024;
  private static final Pattern OUTCOME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private Checks() {}

  /** A dialed or calling number in E.164, worded for the API. */
  static String e164(String text) {
    return Rules.e164(text, Rules.Audience.API);
  }

  /** A number filter for calls: E.164, or {@code anonymous} for withheld caller ID. */
  static String callNumber(String text) {
    return text.equals("anonymous") ? text : e164(text);
  }

  /** An outcome label: lower case letters, digits and '_'. */
  static String outcome(String text) {
    if (!OUTCOME.matcher(text).matches()) {
      throw new IllegalArgumentException("must be an outcome like connected, webhook_failed or cancelled");
    }
    return text;
  }

  /** An absolute http:// or https:// URL with a host, no credentials and a valid port, worded for the API. */
  static URI httpUrl(String text) {
    return Rules.url(text, Rules.HTTP_SCHEMES, Rules.Audience.API);
  }

  /** The candidate a mistyped {@code given} probably meant: within two edits, or one that ends with it. */
  static Optional<String> didYouMean(String given, Collection<String> candidates) {
    return DidYouMean.of(given, candidates);
  }

  /** " (did you mean x?)" or nothing. */
  static String hint(String given, Collection<String> candidates) {
    return didYouMean(given, candidates).map(c -> " (did you mean " + c + "?)").orElse("");
  }
}
