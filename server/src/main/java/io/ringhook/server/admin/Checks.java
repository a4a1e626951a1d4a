package io.ringhook.server.admin;

import io.ringhook.server.config.DidYouMean;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The admin API's checks of single values; each throws {@link IllegalArgumentException} with a
 * message that says what to write instead. The rules are the configuration file's (E.164 of 7 to
 * 15 digits, absolute http(s) URLs without credentials), so a number or URL set at run time could
 * equally have been written in the file.
 */
final class Checks {
  static final int MAX_URL_LENGTH = 2048;
  static final int MAX_SECRET_LENGTH = 1024;
  private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
  private static final Pattern OUTCOME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private Checks() {}

  /** A dialed or calling number in E.164. */
  static String e164(String text) {
    if (E164.matcher(text).matches()) {
      return text;
    }
    String digits = text.replaceAll("[\\s().\\-]", "");
    if (E164.matcher(digits).matches()) {
      throw new IllegalArgumentException("must be E.164 without separators: write " + digits);
    }
    if (!digits.startsWith("+") && E164.matcher("+" + digits).matches()) {
      throw new IllegalArgumentException("must be E.164 with the country code and a leading + (%2B in a URL): write +"
          + digits);
    }
    throw new IllegalArgumentException("must be an E.164 number: + and 7 to 15 digits, e.g. +12345678913");
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

  /** An absolute http:// or https:// URL with a host, no credentials and a valid port. */
  static URI httpUrl(String text) {
    if (text.length() > MAX_URL_LENGTH) {
      throw new IllegalArgumentException("is longer than " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URL: " + e.getReason() + " at index " + e.getIndex());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("must be an absolute http:// or https:// URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("must be an http:// or https:// URL with a host name or address");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("must not carry credentials (user:password@): they would show in logs");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new IllegalArgumentException("has an invalid port " + uri.getPort());
    }
    return uri;
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
