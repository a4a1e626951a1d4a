package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {
  @ParameterizedTest
  @CsvSource({"250ms,250", "10s,10000", "1m,60000", "1h,3600000", "0ms,0", "0s,0", "1500ms,1500", "90s,90000"})
  void durations(String text, long millis) {
    Duration d = Values.duration(text, false);
    assertEquals(Duration.ofMillis(millis), d);
    assertEquals(d, Values.duration(Values.format(d), false), "format reads back");
  }

  @Test
  void durationFormatPicksTheLargestUnit() {
    assertEquals("250ms", Values.format(Duration.ofMillis(250)));
    assertEquals("10s", Values.format(Duration.ofSeconds(10)));
    assertEquals("90s", Values.format(Duration.ofSeconds(90)));
    assertEquals("2m", Values.format(Duration.ofSeconds(120)));
    assertEquals("1h", Values.format(Duration.ofMinutes(60)));
    assertEquals("0s", Values.format(Duration.ZERO));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10|a duration needs a unit: write 10s or 10ms (units: ms, s, m, h)",
      "10 s|not a duration: write 10s without spaces",
      "1.5s|not a duration: whole numbers only, write 1500ms",
      "0.25m|not a duration: whole numbers only, write 15000ms",
      "1.5ms|not a duration: write a whole number and a unit of ms, s, m or h, e.g. 10s",
      "10S|not a duration: write a whole number and a unit of ms, s, m or h, e.g. 10s",
      "PT10S|not a duration: write a whole number and a unit of ms, s, m or h, e.g. 10s",
      "1m30s|not a duration: write a whole number and a unit of ms, s, m or h, e.g. 10s",
      "-1s|not a duration: write a whole number and a unit of ms, s, m or h, e.g. 10s",
      "ten seconds|not a duration: write a whole number and a unit of ms, s, m or h, e.g. 10s"})
  void badDurations(String text, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Values.duration(text, false)).getMessage());
  }

  @Test
  void aBareYamlNumberIsRejectedWithAHint() {
    assertEquals("a duration needs a unit: write 30s or 30ms (units: ms, s, m, h)",
        assertThrows(IllegalArgumentException.class, () -> Values.duration("30", true)).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"198.51.100.0/24", "203.0.113.5", "203.0.113.5/32", "0.0.0.0/0", "10.0.0.0/8",
      "2001:db8::/32", "2001:db8:1::/48", "::1", "::1/128", "::/0", "fe80::/10", "2001:db8::192.0.2.0/120",
      "2001:DB8::/32"})
  void goodCidrs(String text) {
    assertEquals(text, Values.cidr(text));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.300|not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)",
      "10.0.0|not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)",
      "010.0.0.1|not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)",
      "carrier.example.com|not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)",
      "2001:db8:::1|not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)",
      "2001:db8::g|not an IP address or CIDR block (like 198.51.100.0/24 or 2001:db8::/32)",
      "::ffff:198.51.100.1|is an IPv4-mapped IPv6 address: write the IPv4 form 198.51.100.1",
      "10.0.0.0/33|prefix length must be 0..32",
      "10.0.0.0/|prefix length must be 0..32",
      "10.0.0.0/-1|prefix length must be 0..32",
      "2001:db8::/129|prefix length must be 0..128",
      "10.1.2.3/8|has host bits set: did you mean 10.0.0.0/8?",
      "198.51.100.7/24|has host bits set: did you mean 198.51.100.0/24?",
      "2001:db8::1/32|has host bits set: did you mean 2001:db8::/32?",
      "2001:db8:1:8000::/33|has host bits set: did you mean 2001:db8::/33?",
      "2001:db8:0:1:1:0:0:1/64|has host bits set: did you mean 2001:db8:0:1::/64?",
      "fe80::1/16|has host bits set: did you mean fe80::/16?",
      "1::1/8|has host bits set: did you mean ::/8?"})
  void badCidrs(String text, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Values.cidr(text)).getMessage());
  }

  @ParameterizedTest
  @CsvSource({"::,::", "::1,::1", "2001:db8::1,2001:db8::1", "2001:db8:0:0:1:0:0:1,2001:db8::1:0:0:1",
      "2001:0:0:1:0:0:0:1,2001:0:0:1::1", "1:0:2:3:4:5:6:7,1:0:2:3:4:5:6:7", "fe80::,fe80::", "192.0.2.1,192.0.2.1"})
  void addressText(String in, String out) {
    assertEquals(out, Values.text(Values.address(in)));
  }

  @Test
  void addressesAreLiteralsOnly() {
    assertEquals("0.0.0.0", Values.address("0.0.0.0").getHostAddress());
    assertEquals("0:0:0:0:0:0:0:0", Values.address("::").getHostAddress());
    // "localhost" would resolve without a network, but names are refused before any lookup is tried.
    assertThrows(IllegalArgumentException.class, () -> Values.address("localhost"));
    assertThrows(IllegalArgumentException.class, () -> Values.address("fe80::1%eth0"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"+12345678913", "+6834001", "+4420718387", "+442071838750", "+123456789012345"})
  void e164(String text) {
    assertEquals(text, Values.e164(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"+123456", "+1234567890123456", "+0123456789", "12345678913", "+1 (234) 567-8913",
      "anonymous", "", "+"})
  void notE164(String text) {
    assertThrows(IllegalArgumentException.class, () -> Values.e164(text));
  }

  @Test
  void countryCodes() {
    assertEquals("1", Values.countryCode("1"));
    assertEquals("44", Values.countryCode("44"));
    assertEquals("358", Values.countryCode("358"));
    for (String bad : List.of("", "0", "01", "1234", "+1", "a")) {
      assertThrows(IllegalArgumentException.class, () -> Values.countryCode(bad), bad);
    }
  }

  @Test
  void urls() {
    assertEquals("https://crm.example.com/in?a=1", Values.url("https://crm.example.com/in?a=1", Values.HTTP_SCHEMES).toString());
    assertEquals("http://[2001:db8::1]:8080/", Values.url("http://[2001:db8::1]:8080/", Values.HTTP_SCHEMES).toString());
    assertEquals("WSS://a.example/s", Values.url("WSS://a.example/s", Values.WS_SCHEMES).toString());
    assertEquals("must be a ws:// or wss:// URL",
        assertThrows(IllegalArgumentException.class, () -> Values.url("https://a.example", Values.WS_SCHEMES)).getMessage());
    assertEquals("must be an http:// or https:// URL",
        assertThrows(IllegalArgumentException.class, () -> Values.url("crm.example.com/in", Values.HTTP_SCHEMES)).getMessage());
    assertEquals("must be an http:// or https:// URL with a host name or address",
        assertThrows(IllegalArgumentException.class, () -> Values.url("https:///in", Values.HTTP_SCHEMES)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Values.url("https://a b/", Values.HTTP_SCHEMES));
  }

  @Test
  void didYouMean() {
    List<String> keys = Binder.NUMBER_KEYS;
    assertEquals(Optional.of("webhook_timeout"), Values.didYouMean("timeout", keys));
    assertEquals(Optional.of("inbound_webhook_url"), Values.didYouMean("inbound_webhok_url", keys));
    assertEquals(Optional.of("agent"), Values.didYouMean("Agent", keys));
    assertEquals(Optional.of("port_min"), Values.didYouMean("port-min", Binder.RTP_KEYS));
    assertEquals(Optional.empty(), Values.didYouMean("colour", keys));
    assertEquals(Optional.empty(), Values.didYouMean("ab", List.of("cd")));
  }
}
