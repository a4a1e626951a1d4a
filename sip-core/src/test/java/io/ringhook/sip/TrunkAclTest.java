package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.SipConfig.Trunk;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrunkAclTest {
  private static final TrunkAcl CONFIGURED = new TrunkAcl(List.of(
      new Trunk("carrier-a", List.of("198.51.100.0/24", "203.0.113.5"), Optional.of("1")),
      new Trunk("carrier-b", List.of("2001:db8:b::/48", "198.51.100.128/25", "192.0.2.77/32"), Optional.of("44")),
      new Trunk("carrier-c", List.of(" 10.1.2.3/8 ", "2001:db8:c::1", "::ffff:192.0.2.0/120"), Optional.empty())));
  private static final TrunkAcl EMPTY = new TrunkAcl(List.of());

  // Columns: source address | expected trunk (blank = refused)
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      198.51.100.0          | carrier-a
      198.51.100.1          | carrier-a
      198.51.100.200        | carrier-a
      198.51.100.255        | carrier-a
      198.51.101.1          |
      198.51.99.255         |
      203.0.113.5           | carrier-a
      203.0.113.4           |
      203.0.113.6           |
      ::ffff:203.0.113.5    | carrier-a
      ::ffff:198.51.100.9   | carrier-a
      2001:db8:b::1         | carrier-b
      2001:db8:b:ffff:ffff:ffff:ffff:ffff | carrier-b
      2001:db8:a::1         |
      192.0.2.77            | carrier-b
      192.0.2.78            | carrier-c
      192.0.3.1             |
      10.255.0.1            | carrier-c
      11.0.0.1              |
      2001:db8:c::1         | carrier-c
      2001:db8:c::2         |
      127.0.0.1             |
      ::1                   |
      """)
  void configuredTrunks(String source, String trunk) throws Exception {
    assertEquals(Optional.ofNullable(trunk),
        CONFIGURED.match(InetAddress.getByName(source)).map(TrunkAcl.Match::trunkName));
    assertFalse(CONFIGURED.implicitLocal());
  }

  // Columns: source address | admitted by the implicit local trunk
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      127.0.0.1           | true
      127.255.255.254     | true
      10.0.0.1            | true
      10.255.255.255      | true
      172.16.0.1          | true
      172.31.255.255      | true
      172.15.255.255      | false
      172.32.0.0          | false
      192.168.1.10        | true
      192.167.255.255     | false
      169.254.10.20       | true
      100.64.0.1          | false
      100.127.255.255     | false
      8.8.8.8             | false
      198.51.100.1        | false
      0.0.0.0             | false
      255.255.255.255     | false
      ::1                 | true
      ::2                 | false
      ::                  | false
      fc00::1             | true
      fd12:3456:789a::1   | true
      fe00::1             | false
      fe80::1             | true
      febf:ffff::1        | true
      fec0::1             | false
      2001:db8::1         | false
      2606:4700::1111     | false
      ::ffff:192.168.0.1  | true
      ::ffff:8.8.8.8      | false
      """)
  void implicitLocalTrunk(String source, boolean admitted) throws Exception {
    Optional<TrunkAcl.Match> match = EMPTY.match(InetAddress.getByName(source));
    assertEquals(admitted, match.isPresent());
    match.ifPresent(m -> assertEquals(new TrunkAcl.Match("local", Optional.empty()), m));
    assertTrue(EMPTY.implicitLocal());
  }

  @Test
  void mappedIpv6FromRawBytesMatchesIpv4Block() throws Exception {
    // Java turns "::ffff:a.b.c.d" text into an Inet4Address; a socket may still hand us the 16-byte form.
    byte[] raw = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 198, 51, 100, 7};
    InetAddress mapped = Inet6Address.getByAddress(null, raw, -1);
    assertEquals(Optional.of("carrier-a"), CONFIGURED.match(mapped).map(TrunkAcl.Match::trunkName));
    assertEquals(Optional.of("local"), EMPTY.match(Inet6Address.getByAddress(null,
        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1}, -1))
        .map(TrunkAcl.Match::trunkName));
  }

  @Test
  void scopedLinkLocalSourceMatchesByAddress() throws Exception {
    InetAddress scoped = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3);
    assertTrue(EMPTY.match(scoped).isPresent());
  }

  @Test
  void firstMatchingTrunkWinsAndCarriesItsCountryCode() throws Exception {
    TrunkAcl acl = new TrunkAcl(List.of(
        new Trunk("narrow", List.of("198.51.100.7"), Optional.of("44")),
        new Trunk("wide", List.of("198.51.100.0/24"), Optional.of("1")),
        new Trunk("everything", List.of("0.0.0.0/0", "::/0"), Optional.empty())));
    assertEquals(Optional.of(new TrunkAcl.Match("narrow", Optional.of("44"))),
        acl.match(InetAddress.getByName("198.51.100.7")));
    assertEquals(Optional.of(new TrunkAcl.Match("wide", Optional.of("1"))),
        acl.match(InetAddress.getByName("198.51.100.8")));
    assertEquals(Optional.of("everything"),
        acl.match(InetAddress.getByName("8.8.8.8")).map(TrunkAcl.Match::trunkName));
    assertEquals(Optional.of("everything"),
        acl.match(InetAddress.getByName("2606:4700::1111")).map(TrunkAcl.Match::trunkName));
  }

  @Test
  void ipv4AnyDoesNotAdmitIpv6() throws Exception {
    TrunkAcl acl = new TrunkAcl(List.of(new Trunk("v4", List.of("0.0.0.0/0"), Optional.empty())));
    assertTrue(acl.match(InetAddress.getByName("203.0.113.1")).isPresent());
    assertFalse(acl.match(InetAddress.getByName("2001:db8::1")).isPresent());
  }

  @Test
  void configuredTrunksReplaceTheImplicitLocalOne() throws Exception {
    TrunkAcl acl = new TrunkAcl(List.of(new Trunk("carrier", List.of("203.0.113.0/24"), Optional.empty())));
    assertFalse(acl.match(InetAddress.getByName("127.0.0.1")).isPresent());
    TrunkAcl none = new TrunkAcl(List.of(new Trunk("closed", List.of(), Optional.empty())));
    assertFalse(none.match(InetAddress.getByName("127.0.0.1")).isPresent());
  }

  @ParameterizedTest
  @ValueSource(strings = {"198.51.100.0/33", "198.51.100.0/", "198.51.100.0/-1", "198.51.100.0/x",
      "198.51.100", "198.51.100.256", "1.2.3.4.5", "2001:db8::/129", "2001:db8:::1", "gateway.example.com",
      "", "fe80::1%eth0", "2001:db8::/1/2", "198.51.100.0/24 10.0.0.0/8"})
  void invalidEntryNamesTrunkAndEntry(String entry) {
    var e = assertThrows(IllegalArgumentException.class, () -> new TrunkAcl(List.of(
        new Trunk("ok", List.of("203.0.113.0/24"), Optional.empty()),
        new Trunk("carrier-x", List.of("198.51.100.0/24", entry), Optional.empty()))));
    assertTrue(e.getMessage().startsWith("trunk 'carrier-x': allow entry '" + entry + "' is not"), e.getMessage());
  }

  @Test
  void hostBitsBelowThePrefixAreIgnored() throws Exception {
    TrunkAcl acl = new TrunkAcl(List.of(new Trunk("t", List.of("198.51.100.77/24", "2001:db8::99/64"),
        Optional.empty())));
    assertTrue(acl.match(InetAddress.getByName("198.51.100.1")).isPresent());
    assertTrue(acl.match(InetAddress.getByName("2001:db8::1:2")).isPresent());
    assertFalse(acl.match(InetAddress.getByName("2001:db8:0:1::1")).isPresent());
  }
}
