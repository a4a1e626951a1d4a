package io.ringhook.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Number extraction and E.164 normalisation for the forms carriers put in SIP headers.
 *
 * <p>Input is header text as received ({@code sip:}, {@code sips:} or {@code tel:} URIs, bare or as a
 * name-addr with display name, angle brackets, URI and header parameters), so this class needs no SIP
 * stack. The rules, in the order {@link #toE164} applies them to the digits of a number:
 * <ol>
 *   <li>visual separators ({@code - . ( )}, space, tab, {@code /}) are dropped; anything else that is not a
 *       digit (letters, {@code * #}) means "not a number";</li>
 *   <li>{@code +digits} is already international;</li>
 *   <li>a leading {@code 00} is the ITU international prefix: {@code 0044...} is {@code +44...};</li>
 *   <li>with country code 1 (NANP): {@code 011} is the international prefix, ten digits with an area code
 *       that starts 2-9 get {@code +1}, eleven digits {@code 1NXX...} get {@code +}; nothing else is a NANP
 *       number (seven-digit local dialling needs an area code we do not have);</li>
 *   <li>with another country code: a single leading {@code 0} is the national trunk prefix and is dropped
 *       ({@code 44}: {@code 02079460000} is {@code +442079460000}), except for Italy ({@code 39}) and San
 *       Marino ({@code 378}) where the 0 belongs to the number; at least eleven digits that already start
 *       with the country code are taken as E.164 sent without {@code +} (a common carrier habit); any
 *       other digits are a national significant number and get {@code +cc};</li>
 *   <li>with no country code: at least eleven digits not starting with 0 are E.164 sent without
 *       {@code +}; shorter digit strings are national numbers that cannot be made E.164.</li>
 * </ol>
 * The result must be {@code +} and 7 to 15 digits not starting with 0: ITU-T E.164 allows at most 15 and
 * the shortest numbers in service (Niue, Tokelau: a 3-digit country code and 4-digit subscriber numbers)
 * have 7. A {@code phone-context=+cc} parameter (RFC 3966) on a local number supplies the country code in
 * place of the trunk's.
 */
public final class PhoneNumbers {
  /** The from_number value for a withheld or non-numeric caller. */
  public static final String ANONYMOUS = "anonymous";

  private static final int MIN_DIGITS = 7;
  private static final int MAX_DIGITS = 15;
  /** Shortest digit string we read as E.164 without its "+" (shorter ones are national numbers). */
  private static final int MIN_BARE_INTERNATIONAL = 11;
  private static final Pattern SEPARATORS = Pattern.compile("[-.()\\s/]");
  private static final Pattern NUMBER = Pattern.compile("\\+?[0-9]+");
  private static final Pattern COUNTRY_CODE = Pattern.compile("[1-9][0-9]{0,3}");

  private PhoneNumbers() {
  }

  /**
   * The dialed number (to_number) of an INVITE: the Request-URI's user part, or the To URI's when the
   * Request-URI has none, in E.164; when that user part is not a number, the user part as sent
   * (percent-escapes decoded), for example {@code support}; an empty string when neither has a user part.
   *
   * @param requestUri         the Request-URI, e.g. {@code sip:+12345678913@203.0.113.7:5060;user=phone}
   * @param toUri              the To header value (name-addr or addr-spec), used when the Request-URI has no user
   * @param defaultCountryCode the trunk's country code (digits, no "+") for national-format numbers
   */
  public static String dialed(String requestUri, String toUri, Optional<String> defaultCountryCode) {
    Objects.requireNonNull(requestUri, "requestUri");
    Objects.requireNonNull(toUri, "toUri");
    checkCountryCode(defaultCountryCode);
    UriNumber number = UriNumber.parse(requestUri);
    if (number.user().isEmpty()) {
      number = UriNumber.parse(toUri);
    }
    return number.toE164(defaultCountryCode).orElse(number.user());
  }

  /**
   * The caller (from_number) of an INVITE: the first P-Asserted-Identity value that is an E.164 number,
   * else the From URI's. A withheld or non-numeric caller ({@code sip:anonymous@anonymous.invalid},
   * {@code Restricted}, {@code unavailable}, {@code alice}, an empty user part) is {@link #ANONYMOUS}.
   * A numeric caller that cannot be made E.164 (an extension such as {@code 1001}, a national number
   * from a trunk without a country code) is returned as its digits, separators removed, rather than
   * hidden as anonymous: the number is known, only its country is not.
   *
   * @param paiUri             the P-Asserted-Identity header value(s), comma-separated, or null when absent
   * @param fromUri            the From header value (name-addr or addr-spec)
   * @param defaultCountryCode the trunk's country code (digits, no "+") for national-format numbers
   */
  public static String caller(String paiUri, String fromUri, Optional<String> defaultCountryCode) {
    Objects.requireNonNull(fromUri, "fromUri");
    checkCountryCode(defaultCountryCode);
    if (paiUri != null) {
      for (String identity : splitHeaderValues(paiUri)) {
        Optional<String> e164 = UriNumber.parse(identity).toE164(defaultCountryCode);
        if (e164.isPresent()) {
          return e164.get();
        }
      }
    }
    UriNumber from = UriNumber.parse(fromUri);
    Optional<String> e164 = from.toE164(defaultCountryCode);
    if (e164.isPresent()) {
      return e164.get();
    }
    String digits = stripSeparators(from.user());
    return NUMBER.matcher(digits).matches() ? digits : ANONYMOUS;
  }

  /**
   * The E.164 form ({@code +} and 7-15 digits) of a number written the way people and carriers write
   * them, or empty when it is not one; the class documentation lists the rules.
   *
   * @param number             digits with optional {@code +} and visual separators, percent-escapes decoded
   * @param defaultCountryCode the country code (1-4 digits, no "+") for national-format numbers
   */
  public static Optional<String> toE164(String number, Optional<String> defaultCountryCode) {
    Objects.requireNonNull(number, "number");
    checkCountryCode(defaultCountryCode);
    String digits = stripSeparators(number);
    if (!NUMBER.matcher(digits).matches()) {
      return Optional.empty();
    }
    if (digits.startsWith("+")) {
      return valid(digits.substring(1));
    }
    if (digits.startsWith("00")) {
      return valid(digits.substring(2));
    }
    if (defaultCountryCode.isEmpty()) {
      return digits.length() >= MIN_BARE_INTERNATIONAL && digits.charAt(0) != '0'
          ? valid(digits) : Optional.empty();
    }
    String cc = defaultCountryCode.get();
    if (cc.equals("1")) {
      return nanp(digits);
    }
    if (digits.startsWith("0")) {
      return valid(cc + (keepsTrunkZero(cc) ? digits : digits.substring(1)));
    }
    if (digits.length() >= MIN_BARE_INTERNATIONAL && digits.startsWith(cc)) {
      return valid(digits);
    }
    return valid(cc + digits);
  }

  private static Optional<String> nanp(String digits) {
    if (digits.startsWith("011")) {
      return valid(digits.substring(3));
    }
    if (digits.length() == 10 && digits.charAt(0) >= '2') {
      return valid("1" + digits);
    }
    if (digits.length() == 11 && digits.charAt(0) == '1' && digits.charAt(1) >= '2') {
      return valid(digits);
    }
    return Optional.empty();
  }

  /** Italy and San Marino dial the leading 0 of fixed-line numbers from abroad too. */
  private static boolean keepsTrunkZero(String cc) {
    return cc.equals("39") || cc.equals("378");
  }

  private static Optional<String> valid(String digits) {
    boolean ok = digits.length() >= MIN_DIGITS && digits.length() <= MAX_DIGITS
        && digits.charAt(0) != '0' && digits.chars().allMatch(c -> c >= '0' && c <= '9');
    return ok ? Optional.of("+" + digits) : Optional.empty();
  }

  private static String stripSeparators(String number) {
    return SEPARATORS.matcher(number).replaceAll("");
  }

  private static void checkCountryCode(Optional<String> cc) {
    Objects.requireNonNull(cc, "defaultCountryCode");
    if (cc.isPresent() && !COUNTRY_CODE.matcher(cc.get()).matches()) {
      throw new IllegalArgumentException(
          "defaultCountryCode must be 1-4 digits without '+' and not starting with 0, got '" + cc.get() + "'");
    }
  }

  /** Splits a header value list at commas outside quoted strings and angle brackets. */
  static List<String> splitHeaderValues(String header) {
    List<String> values = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '<') {
        depth++;
      } else if (c == '>') {
        depth = Math.max(0, depth - 1);
      } else if (c == ',' && depth == 0) {
        values.add(header.substring(start, i));
        start = i + 1;
      }
    }
    values.add(header.substring(start));
    return values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }

  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int hi = i + 2 < s.length() && c == '%' ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
      if (lo >= 0) {
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        // A stray '%' is kept as sent: tolerant of carriers that do not escape it.
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The user part of a SIP/SIPS/tel URI split into its number and the RFC 3966 phone-context.
   *
   * @param user         the whole user part, percent-decoded, user parameters removed ("" when none)
   * @param phoneContext the phone-context parameter when present
   */
  record UriNumber(String user, Optional<String> phoneContext) {
    Optional<String> toE164(Optional<String> defaultCountryCode) {
      if (phoneContext.isPresent() && !user.startsWith("+")) {
        String context = stripSeparators(phoneContext.get());
        // A global context (+cc, possibly +cc and an area code) is the prefix the local number lives under.
        if (context.startsWith("+") && context.length() > 1 && COUNTRY_CODE.matcher(context.substring(1)).matches()) {
          return PhoneNumbers.toE164(user, Optional.of(context.substring(1)));
        }
        if (context.startsWith("+")) {
          return PhoneNumbers.toE164(context + stripSeparators(user), Optional.empty());
        }
      }
      return PhoneNumbers.toE164(user, defaultCountryCode);
    }

    static UriNumber parse(String headerValue) {
      String uri = addrSpec(headerValue.strip());
      int colon = uri.indexOf(':');
      String scheme = colon > 0 ? uri.substring(0, colon).toLowerCase(Locale.ROOT) : "";
      String rest;
      if (scheme.equals("tel")) {
        rest = uri.substring(colon + 1);
      } else if (scheme.equals("sip") || scheme.equals("sips")) {
        rest = uri.substring(colon + 1);
        int headers = rest.indexOf('?');
        if (headers >= 0) {
          rest = rest.substring(0, headers);
        }
        int at = rest.indexOf('@');
        rest = at >= 0 ? rest.substring(0, at) : "";
      } else {
        // No known scheme: a bare user ("Anonymous", "+1 234 ...") as some peers put in headers.
        rest = uri;
      }
      String[] parts = rest.split(";", -1);
      Optional<String> context = Optional.empty();
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].strip();
        if (p.toLowerCase(Locale.ROOT).startsWith("phone-context=")) {
          context = Optional.of(percentDecode(p.substring("phone-context=".length())));
        }
      }
      return new UriNumber(percentDecode(parts[0]).strip(), context);
    }

    /** The URI inside the angle brackets of a name-addr, or the addr-spec itself. */
    private static String addrSpec(String value) {
      boolean quoted = false;
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (quoted) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            quoted = false;
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == '<') {
          int end = value.indexOf('>', i + 1);
          return (end < 0 ? value.substring(i + 1) : value.substring(i + 1, end)).strip();
        }
      }
      // A display name with no URI ("Anonymous" in quotes) carries no number.
      return value.startsWith("\"") ? "" : value;
    }
  }
}
