package io.ringhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.PhoneNumbers;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The warm-up callers' ways of writing a call: each reaches the warm-up's number whatever country code the
 * configured trunks give, names a caller, and they differ where peers differ.
 */
class WarmupCallerTest {
  @Test
  void everyShapeDialsTheWarmUpNumberWhateverTheTrunksCountryCode() throws Exception {
    try (WarmupCaller caller = new WarmupCaller(0, 5060, Warmup.NUMBER, new WarmupCaller.Counts())) {
      Set<String> uris = new HashSet<>();
      Set<String> formats = new HashSet<>();
      for (long n = 0; n < WarmupCaller.SHAPES; n++) {
        WarmupCaller.Shape shape = caller.shape(n);
        uris.add(shape.uri());
        formats.add(shape.formats().split(" ")[0]);
        for (Optional<String> cc : List.of(Optional.<String>empty(), Optional.of("1"), Optional.of("44"))) {
          assertEquals(Warmup.NUMBER, PhoneNumbers.dialed(shape.uri(), shape.to(), cc), shape + " with " + cc);
          String from = PhoneNumbers.caller(pai(shape.headers()), shape.from(), cc);
          assertTrue(from.matches("\\+1555000[0-9]{4}"), from + " from " + shape);
        }
      }
      assertEquals(WarmupCaller.SHAPES, uris.size(), "each shape its own Request-URI: " + uris);
      assertEquals(Set.of("0", "8", "18"), formats, "PCMU, PCMA and G.729 offered first");
    }
  }

  /** The P-Asserted-Identity header's value among {@code headers}, or null. */
  private static String pai(String headers) {
    return headers.lines().filter(l -> l.startsWith("P-Asserted-Identity: "))
        .map(l -> l.substring("P-Asserted-Identity: ".length())).findFirst().orElse(null);
  }
}
