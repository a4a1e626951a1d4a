package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PhoneNumbersTest {

  // Columns: number | trunk country code (blank = none) | expected E.164 (blank = not a number)
  @ParameterizedTest(name = "[{index}] {0} cc={1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      +12345678913          |     | +12345678913
      +1-234-567-8913       |     | +12345678913
      +1 (234) 567.8913     |     | +12345678913
      +44 20 7946 0000      | 1   | +442079460000
      +442079460000         | 44  | +442079460000
      2345678913            | 1   | +12345678913
      (234) 567-8913        | 1   | +12345678913
      234.567.8913          | 1   | +12345678913
      12345678913           | 1   | +12345678913
      1-234-567-8913        | 1   | +12345678913
      01144207946000        | 1   | +44207946000
      011 44 20 7946 0000   | 1   | +442079460000
      0044 20 7946 0000     | 1   | +442079460000
      00442079460000        | 44  | +442079460000
      00442079460000        |     | +442079460000
      02079460000           | 44  | +442079460000
      020 7946 0000         | 44  | +442079460000
      2079460000            | 44  | +442079460000
      442079460000          | 44  | +442079460000
      07700900123           | 44  | +447700900123
      030 123456789         | 49  | +4930123456789
      0612345678            | 39  | +390612345678
      3471234567            | 39  | +393471234567
      3931234567            | 39  | +393931234567
      393471234567          | 39  | +393471234567
      612345678             | 34  | +34612345678
      12345678913           |     | +12345678913
      442079460000          |     | +442079460000
      +6834321              |     | +6834321
      +683432               |     |
      +1234567890123456     |     |
      +123456789012345      |     | +123456789012345
      +0123456789           |     |
      2345678913            |     |
      02079460000           |     |
      1345678913            | 1   |
      0345678913            | 1   |
      5678913               | 1   |
      11345678913           | 1   |
      123456789012          | 1   |
      *67 234 567 8913      | 1   |
      2345678913#           | 1   |
      anonymous             | 1   |
      ''                    | 1   |
      +                     |     |
      1-800-FLOWERS         | 1   |
      """)
  void toE164(String number, String cc, String expected) {
    assertEquals(Optional.ofNullable(expected), PhoneNumbers.toE164(number, Optional.ofNullable(cc)));
  }

  // Columns: Request-URI | To header | trunk country code | expected to_number
  @ParameterizedTest(name = "[{index}] {0} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      sip:+12345678913@203.0.113.7                                 | <sip:x@h>     |    | +12345678913
      sips:+12345678913@203.0.113.7:5061;transport=tls             | <sip:x@h>     |    | +12345678913
      sip:+12345678913@203.0.113.7:5060;user=phone                 | <sip:x@h>     |    | +12345678913
      SIP:+12345678913@example.com                                 | <sip:x@h>     |    | +12345678913
      sip:+1-234-567-8913@203.0.113.7;user=phone                   | <sip:x@h>     |    | +12345678913
      sip:+1%20234%20567%208913@203.0.113.7                        | <sip:x@h>     |    | +12345678913
      sip:%2B12345678913@203.0.113.7                               | <sip:x@h>     |    | +12345678913
      sip:2345678913@203.0.113.7                                   | <sip:x@h>     | 1  | +12345678913
      sip:12345678913@203.0.113.7                                  | <sip:x@h>     | 1  | +12345678913
      sip:12345678913@203.0.113.7                                  | <sip:x@h>     |    | +12345678913
      sip:2345678913@203.0.113.7                                   | <sip:x@h>     |    | 2345678913
      sip:02079460000@[2001:db8::7]:5060                           | <sip:x@h>     | 44 | +442079460000
      sip:00442079460000@203.0.113.7                               | <sip:x@h>     | 1  | +442079460000
      sip:01144207946000@203.0.113.7                               | <sip:x@h>     | 1  | +44207946000
      sip:2345678913;phone-context=+1@203.0.113.7;user=phone       | <sip:x@h>     |    | +12345678913
      sip:+12345678913;npdi;rn=+12345670000@203.0.113.7;user=phone | <sip:x@h>     |    | +12345678913
      sip:+12345678913@203.0.113.7?Subject=hi                      | <sip:x@h>     |    | +12345678913
      tel:+1-234-567-8913                                          | <sip:x@h>     |    | +12345678913
      tel:2345678913;phone-context=+1                              | <sip:x@h>     |    | +12345678913
      tel:020-7946-0000;phone-context=+44                          | <sip:x@h>     | 1  | +442079460000
      tel:5551234;phone-context=+1212                              | <sip:x@h>     |    | +12125551234
      tel:2345678913;phone-context=example.com                     | <sip:x@h>     | 1  | +12345678913
      tel:555-1234;phone-context=+1-212                            | <sip:x@h>     | 44 | +12125551234
      sip:support@203.0.113.7                                      | <sip:x@h>     | 1  | support
      sip:s@203.0.113.7                                            | <sip:x@h>     | 1  | s
      sip:sales%20team@203.0.113.7                                 | <sip:x@h>     | 1  | sales team
      sip:*98@203.0.113.7                                          | <sip:x@h>     | 1  | *98
      sip:203.0.113.7                                              | "Bob" <sip:+12345678913@h>;tag=9 |  | +12345678913
      sip:203.0.113.7:5060;transport=udp                           | <tel:+12345678913> |   | +12345678913
      sip:203.0.113.7                                              | sip:2345678913@h;tag=1 | 1 | +12345678913
      sip:203.0.113.7                                              | <sip:h>       |    | ''
      """)
  void dialed(String requestUri, String to, String cc, String expected) {
    assertEquals(expected, PhoneNumbers.dialed(requestUri, to, Optional.ofNullable(cc)));
  }

  // Columns: P-Asserted-Identity (blank = absent) | From header | trunk country code | expected from_number
  @ParameterizedTest(name = "[{index}] pai={0} from={1} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
                                                      | <sip:+12345678912@198.51.100.1>;tag=a1          |    | +12345678912
                                                      | "Alice" <sip:+12345678912@198.51.100.1>;tag=a1  |    | +12345678912
                                                      | "Smith, J <x>" <sips:+12345678912@h:5061>;tag=2 |    | +12345678912
                                                      | sip:+12345678912@198.51.100.1;tag=a1            |    | +12345678912
                                                      | <sip:2345678912@198.51.100.1;user=phone>;tag=x  | 1  | +12345678912
                                                      | <tel:+1-234-567-8912>;tag=x                     |    | +12345678912
                                                      | <sip:07700900123@h>;tag=x                       | 44 | +447700900123
      "Alice" <sip:+12345678912@carrier.example>      | <sip:anonymous@anonymous.invalid>;tag=a         |    | +12345678912
      <tel:+12345678912>                              | "Anonymous" <sip:anonymous@anonymous.invalid>;tag=a |  | +12345678912
      "A" <sip:alice@carrier.example>, <tel:+12345678912> | <sip:anonymous@anonymous.invalid>;tag=a     |    | +12345678912
      <sip:+12345678912@h>, <tel:+19999999999>        | <sip:+13333333333@h>;tag=a                      |    | +12345678912
      <sip:alice@carrier.example>                     | <sip:+13333333333@h>;tag=a                      |    | +13333333333
      <sip:2345678912@carrier.example>                | <sip:+13333333333@h>;tag=a                      | 1  | +12345678912
      ''                                              | <sip:+13333333333@h>;tag=a                      |    | +13333333333
                                                      | "Anonymous" <sip:anonymous@anonymous.invalid>;tag=a |  | anonymous
                                                      | <sip:anonymous@anonymous.invalid>;tag=a         |    | anonymous
                                                      | "Anonymous" <sip:Anonymous@203.0.113.9>;tag=a   | 1  | anonymous
                                                      | Anonymous                                       |    | anonymous
                                                      | "Anonymous"                                     |    | anonymous
                                                      | <sip:restricted@198.51.100.1>;tag=a             | 1  | anonymous
                                                      | <sip:unavailable@198.51.100.1>;tag=a            | 1  | anonymous
                                                      | <sip:alice@example.com>;tag=a                   | 1  | anonymous
                                                      | <sip:198.51.100.1>;tag=a                        | 1  | anonymous
                                                      | ''                                              | 1  | anonymous
                                                      | <sip:1001@pbx.local>;tag=a                      | 1  | 1001
                                                      | <sip:234-567-8912@h>;tag=a                      |    | 2345678912
      """)
  void caller(String pai, String from, String cc, String expected) {
    assertEquals(expected, PhoneNumbers.caller(pai, from, Optional.ofNullable(cc)));
  }

  @Test
  void splitsHeaderValuesOutsideQuotesAndBrackets() {
    assertEquals(List.of("\"Smith, J\" <sip:+1@h;a=b,c>", "<tel:+2>"),
        PhoneNumbers.splitHeaderValues("\"Smith, J\" <sip:+1@h;a=b,c> , <tel:+2>"));
  }

  @Test
  void rejectsBadCountryCode() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> PhoneNumbers.toE164("2345678913", Optional.of("+1")));
    assertEquals("defaultCountryCode must be 1-4 digits without '+' and not starting with 0, got '+1'",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PhoneNumbers.dialed("sip:1@h", "sip:1@h", Optional.of("")));
    assertThrows(NullPointerException.class, () -> PhoneNumbers.caller(null, null, Optional.empty()));
  }
}
