package io.ringhook.server.config;

import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsers and checks for single configuration values; each throws {@link IllegalArgumentException}
 * with the text that ends up in a {@link ConfigProblem}.
 *
 * <p>Nothing here touches the network: addresses must be literals, so a DNS outage cannot change
 * whether a configuration loads.
 */
final class Values {
  static final Set<String> HTTP_SCHEMES = Rules.HTTP_SCHEMES;
  static final Set<String> WS_SCHEMES = Rules.WS_SCHEMES;
  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,10}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  private static final Pattern FRACTION = Pattern.compile("(\\d{1,9}\\.\\d{1,9})(ms|s|m|h)");
  private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern COUNTRY_CODE = Pattern.compile("[1-9]\\d{0,2}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private Values() {}

  /** A decimal integer. */
  static int integer(String text) {
    if (!INTEGER.matcher(text).matches()) {
      throw new IllegalArgumentException("must be a whole number");
    }
    long v = Long.parseLong(text);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("must be a whole number");
    }
    return (int) v;
  }

  /** An integer within {@code min..max}. */
  static int integer(String text, int min, int max, String what) {
    int v = integer(text);
    if (v < min || v > max) {
      throw new IllegalArgumentException("must be " + what + " " + min + ".." + max);
    }
    return v;
  }

  /**
   * A duration: a whole number and one unit of ms, s, m or h ({@code 250ms}, {@code 10s}, {@code 1m}).
   *
   * @param bareNumber whether YAML typed the value as a number, for a more helpful message
   */
  static Duration duration(String text, boolean bareNumber) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      if (bareNumber || text.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("a duration needs a unit: write " + text + "s or " + text
            + "ms (units: ms, s, m, h)");
      }
      String compact = text.replaceAll("\\s+", "");
      if (!compact.equals(text) && DURATION.matcher(compact).matches()) {
        throw new IllegalArgumentException("not a duration: write " + compact + " without spaces");
      }
      Matcher frac = FRACTION.matcher(text);
      if (frac.matches() && !frac.group(2).equals("ms")) {
        long unitMs = switch (frac.group(2)) {
          case "s" -> 1000;
          case "m" -> 60_000;
          default -> 3_600_000;
        };
        BigDecimal ms = new BigDecimal(frac.group(1)).multiply(BigDecimal.valueOf(unitMs));
        if (ms.stripTrailingZeros().scale() <= 0) {
          throw new IllegalArgumentException("not a duration: whole numbers only, write " + ms.toBigInteger() + "ms");
        }
      }
      throw new IllegalArgumentException("not a duration: write a whole number and a unit of ms, s, m or h, e.g. 10s");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** A duration within {@code min..max}, both inclusive. */
  static Duration duration(String text, boolean bareNumber, Duration min, Duration max) {
    Duration d = duration(text, bareNumber);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException("must be between " + format(min) + " and " + format(max));
    }
    return d;
  }

  /** The shortest text {@link #duration} reads back as {@code d}: the largest unit that divides it. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    } else if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    } else if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** An IPv4 or IPv6 address literal, parsed without any name lookup. */
  static InetAddress address(String text) {
    if (IPV4.matcher(text).matches()) {
      return literal(text);
    }
    if (text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches()) {
      // A text with ':' and only hex digits, ':' and '.' is parsed as an IPv6 literal, never looked up.
      InetAddress a = literal(text);
      if (a instanceof Inet4Address) {
        throw new IllegalArgumentException("is an IPv4-mapped IPv6 address: write the IPv4 form " + a.getHostAddress());
      }
      return a;
    }
    if (text.startsWith("[") && text.endsWith("]")) {
      throw new IllegalArgumentException("write the IPv6 address without brackets");
    }
    throw new IllegalArgumentException("not an IP address (IPv4 like 192.0.2.1 or IPv6 like 2001:db8::1;"
        + " host names are not resolved)");
  }

  private static InetAddress literal(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not a valid IP address");
    }
  }

  /**
   * A network: an address (a /32 or /128) or a CIDR block whose host bits are zero, IPv4 or IPv6.
   * Returns the text unchanged once it is known to be good.
   */
  static String cidr(String text) {
    int slash = text.indexOf('/');
    InetAddress a;
    try {
      a = address(slash < 0 ? text : text.substring(0, slash));
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith("is an IPv4-mapped")) {
        throw e;
      }
      throw new IllegalArgumentException("not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)");
    }
    if (slash < 0) {
      return text;
    }
    int bits = a.getAddress().length * 8;
    String prefixText = text.substring(slash + 1);
    if (!prefixText.matches("\\d{1,3}") || Integer.parseInt(prefixText) > bits) {
      throw new IllegalArgumentException("prefix length must be 0.." + bits);
    }
    int prefix = Integer.parseInt(prefixText);
    byte[] b = a.getAddress();
    boolean hostBits = false;
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      int mask = keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff;
      hostBits |= (b[i] & ~mask & 0xff) != 0;
      b[i] = (byte) (b[i] & mask);
    }
    if (hostBits) {
      throw new IllegalArgumentException("has host bits set: did you mean " + text(literal(b)) + "/" + prefix + "?");
    }
    return text;
  }

  /** An address as people write it: IPv6 with its longest run of zero groups as "::" (RFC 5952). */
  static String text(InetAddress a) {
    if (a instanceof Inet4Address) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1; // a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(g[i]));
    }
    return out.toString();
  }

  private static InetAddress literal(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // only for a wrong length, which cannot happen here
    }
  }

  /** A phone number in E.164, worded for the file. */
  static String e164(String text) {
    return Rules.e164(text, Rules.Audience.FILE);
  }

  /** A country calling code: 1 to 3 digits, without "+". */
  static String countryCode(String text) {
    if (!COUNTRY_CODE.matcher(text).matches()) {
      throw new IllegalArgumentException("must be a country calling code of 1 to 3 digits without \"+\", e.g. \"1\" or \"44\"");
    }
    return text;
  }

  /** A name for a trunk or an agent: letters, digits, '.', '_' and '-', up to 64, starting with a letter or digit. */
  static String name(String text) {
    if (!NAME.matcher(text).matches()) {
      throw new IllegalArgumentException("must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return text;
  }

  /** An absolute URL with one of {@code schemes} and a host, worded for the file. */
  static URI url(String text, Set<String> schemes) {
    return Rules.url(text, schemes, Rules.Audience.FILE);
  }

  /**
   * The candidate a mistyped {@code given} was probably meant to be: the same but for case or
   * '-'/'_', within two edits, or a longer key that ends with it ({@code timeout} for
   * {@code webhook_timeout}).
   */
  static Optional<String> didYouMean(String given, Collection<String> candidates) {
    return DidYouMean.of(given, candidates);
  }

  /** The Levenshtein distance between two strings. */
  static int distance(String a, String b) {
    return DidYouMean.distance(a, b);
  }
}
