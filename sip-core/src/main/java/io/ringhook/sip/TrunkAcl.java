package io.ringhook.sip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The access list that says which trunk, if any, a request's source address belongs to.
 *
 * <p>Trunks are tried in configuration order and the first whose {@code allow} list contains the address
 * wins. Entries are CIDR blocks or single addresses, IPv4 or IPv6; host bits below the prefix are ignored
 * ({@code 198.51.100.7/24} is {@code 198.51.100.0/24}). IPv4 addresses are compared as IPv4-mapped IPv6
 * addresses ({@code ::ffff:a.b.c.d}), so a dual-stack socket's {@code ::ffff:198.51.100.1} matches
 * {@code 198.51.100.0/24}, and an IPv6 block that covers {@code ::ffff:0:0/96} (such as {@code ::/0})
 * covers IPv4 too.
 *
 * <p>With no trunks configured, an implicit trunk named {@value #LOCAL_TRUNK} admits the networks in
 * {@link #LOCAL_NETWORKS}: loopback, RFC 1918 private, link-local and IPv6 unique-local. The shared
 * address space 100.64.0.0/10 (RFC 6598) is not among them: it is a carrier's pool shared by many of its
 * customers, not the operator's own network.
 */
final class TrunkAcl {
  /** The name of the implicit trunk used when none is configured. */
  public static final String LOCAL_TRUNK = "local";
  /** The networks the implicit {@value #LOCAL_TRUNK} trunk admits. */
  public static final List<String> LOCAL_NETWORKS = List.of(
      "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
      "::1/128", "fc00::/7", "fe80::/10");

  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  private final List<Rule> rules;
  private final boolean implicitLocal;

  /**
   * Builds the access list.
   *
   * @param trunks the configured trunks in order; empty means the implicit {@value #LOCAL_TRUNK} trunk
   * @throws IllegalArgumentException when an allow entry is not an address or CIDR block; the message
   *                                  names the trunk and the entry
   */
  public TrunkAcl(List<SipConfig.Trunk> trunks) {
    Objects.requireNonNull(trunks, "trunks");
    List<Rule> built = new ArrayList<>();
    for (SipConfig.Trunk trunk : trunks) {
      Match match = new Match(trunk.name(), trunk.defaultCountryCode(), SipHeaderFilter.of(trunk.sipHeaders()));
      for (String entry : trunk.allow()) {
        built.add(new Rule(Cidr.parse(trunk.name(), entry), match));
      }
    }
    implicitLocal = trunks.isEmpty();
    if (implicitLocal) {
      Match local = new Match(LOCAL_TRUNK, Optional.empty());
      for (String entry : LOCAL_NETWORKS) {
        built.add(new Rule(Cidr.parse(LOCAL_TRUNK, entry), local));
      }
    }
    rules = List.copyOf(built);
  }

  /** The trunk a request from this address belongs to, or empty when it must be refused (403). */
  public Optional<Match> match(InetAddress source) {
    Objects.requireNonNull(source, "source");
    byte[] address = mapped(source.getAddress());
    for (Rule rule : rules) {
      if (rule.cidr().contains(address)) {
        return Optional.of(rule.match());
      }
    }
    return Optional.empty();
  }

  /** True when no trunk is configured and the implicit {@value #LOCAL_TRUNK} trunk is in use. */
  public boolean implicitLocal() {
    return implicitLocal;
  }

  /**
   * The trunk a source address matched.
   *
   * @param trunkName          the trunk's configured name, or {@value #LOCAL_TRUNK}
   * @param defaultCountryCode the trunk's country code for national-format numbers
   * @param headers            the INVITE headers the trunk passes on
   */
  public record Match(String trunkName, Optional<String> defaultCountryCode, SipHeaderFilter headers) {
    public Match {
      Objects.requireNonNull(trunkName, "trunkName");
      Objects.requireNonNull(defaultCountryCode, "defaultCountryCode");
      Objects.requireNonNull(headers, "headers");
    }

    public Match(String trunkName, Optional<String> defaultCountryCode) {
      this(trunkName, defaultCountryCode, SipHeaderFilter.NONE);
    }
  }

  private record Rule(Cidr cidr, Match match) {
  }

  /** A block of addresses as a 16-byte IPv6 (or IPv4-mapped) network and prefix length. */
  record Cidr(byte[] network, int prefix) {
    static Cidr parse(String trunk, String entry) {
      Objects.requireNonNull(entry, "allow entry of trunk " + trunk);
      String text = entry.strip();
      int slash = text.indexOf('/');
      String host = slash < 0 ? text : text.substring(0, slash);
      boolean v6 = host.indexOf(':') >= 0;
      byte[] address = v6 ? ipv6(host) : ipv4(host);
      int max = v6 ? 128 : 32;
      int prefix = max;
      if (slash >= 0) {
        String bits = text.substring(slash + 1);
        prefix = bits.matches("\\d{1,3}") ? Integer.parseInt(bits) : -1;
      }
      if (address == null || prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("trunk '" + trunk + "': allow entry '" + entry
            + "' is not an IPv4 or IPv6 address or CIDR block (e.g. 198.51.100.0/24, 2001:db8::/32)");
      }
      byte[] network = mapped(address);
      int bits = v6 ? prefix : prefix + 96;
      for (int i = 0; i < 16; i++) {
        int keep = Math.max(0, Math.min(8, bits - i * 8));
        network[i] &= (byte) (0xff << (8 - keep));
      }
      return new Cidr(network, bits);
    }

    boolean contains(byte[] address) {
      int whole = prefix / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (address[whole] & mask) == (network[whole] & 0xff);
    }
  }

  /** An address as 16 bytes: IPv6 as is (scope dropped), IPv4 as ::ffff:a.b.c.d. */
  static byte[] mapped(byte[] address) {
    if (address.length == 16) {
      return address.clone();
    }
    byte[] v6 = new byte[16];
    v6[10] = (byte) 0xff;
    v6[11] = (byte) 0xff;
    System.arraycopy(address, 0, v6, 12, 4);
    return v6;
  }

  private static byte[] ipv4(String text) {
    Matcher m = IPV4.matcher(text);
    if (!m.matches()) {
      return null;
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      int octet = Integer.parseInt(m.group(i + 1));
      if (octet > 255) {
        return null;
      }
      b[i] = (byte) octet;
    }
    return b;
  }

  private static byte[] ipv6(String text) {
    if (text.indexOf('%') >= 0) {
      return null; // a zone id names an interface of one host: meaningless in an allow list
    }
    try {
      // The brackets make InetAddress parse an IPv6 literal or fail; it never does a DNS lookup for them.
      InetAddress a = InetAddress.getByName("[" + text + "]");
      return a instanceof Inet6Address || a instanceof Inet4Address ? a.getAddress() : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
