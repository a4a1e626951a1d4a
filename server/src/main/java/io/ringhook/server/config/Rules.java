package io.ringhook.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for a phone number and a URL that a person writes, one set for the configuration file
 * and the admin API: a number or URL set at run time could equally have been written in the file.
 * Each check throws {@link IllegalArgumentException} with a message that says what to write
 * instead, worded for where it was written ({@link Audience}).
 */
public final class Rules {
  /** The schemes of a webhook URL. */
  public static final Set<String> HTTP_SCHEMES = Set.of("http", "https");
  /** The schemes of an agent URL. */
  public static final Set<String> WS_SCHEMES = Set.of("ws", "wss");
  /** The longest URL the admin API takes (the file's are bounded by the file). */
  public static final int MAX_URL_LENGTH = 2048;
  private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");

  /** Where a value was written, which decides how a message shows the value to write instead. */
  public enum Audience {
    /** The YAML file: values quoted, as a "+" number must be to stay a string. */
    FILE,
    /** The admin API: values bare, and a "+" in a URL is %2B. */
    API
  }

  private Rules() {}

  /**
   * A phone number in E.164: "+", then 7 to 15 digits, the first not 0; the same rule as sip-core's
   * normalisation, so every key can match a dialed number (the shortest in service have 7 digits).
   */
  public static String e164(String text, Audience audience) {
    if (E164.matcher(text).matches()) {
      return text;
    }
    boolean file = audience == Audience.FILE;
    String digits = text.replaceAll("[\\s().\\-]", "");
    if (E164.matcher(digits).matches()) {
      throw new IllegalArgumentException("must be E.164 without separators: write " + shown(digits, file));
    }
    if (!digits.startsWith("+") && E164.matcher("+" + digits).matches()) {
      throw new IllegalArgumentException(file
          ? "must be E.164 with the country code and a leading +, e.g. \"+" + digits + "\" (quote it)"
          : "must be E.164 with the country code and a leading + (%2B in a URL): write +" + digits);
    }
    throw new IllegalArgumentException("must be an E.164 number: " + shown("+", file) + " and 7 to 15 digits, e.g. "
        + shown("+12345678913", file));
  }

  /** An absolute URL with one of {@code schemes}, a host, no credentials and a valid port. */
  public static URI url(String text, Set<String> schemes, Audience audience) {
    boolean api = audience == Audience.API;
    if (api && text.length() > MAX_URL_LENGTH) {
      throw new IllegalArgumentException("is longer than " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(api
          ? "is not a valid URL: " + e.getReason() + " at index " + e.getIndex()
          : "not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String wanted = String.join(" or ", schemes.stream().sorted().map(s -> s + "://").toList());
    String article = wanted.startsWith("h") ? "an " : "a ";
    if (!schemes.contains(scheme)) {
      throw new IllegalArgumentException("must be " + (api ? "an absolute " : article) + wanted + " URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("must be " + article + wanted + " URL with a host name or address");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("must not carry credentials (user:password@): they would show in logs");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new IllegalArgumentException("has an invalid port " + uri.getPort());
    }
    return uri;
  }

  private static String shown(String value, boolean quoted) {
    return quoted ? "\"" + value + "\"" : value;
  }
}
