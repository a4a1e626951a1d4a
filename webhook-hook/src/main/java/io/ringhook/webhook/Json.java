package io.ringhook.webhook;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/** The module's one Jackson configuration: thread-safe, shared. */
final class Json {

  /**
   * Floats are read as BigDecimal with their scale kept, so {@code 19.90} becomes the text {@code
   * "19.90"} and not {@code "19.9"}.
   */
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static final ObjectReader READER = MAPPER.reader();

  private Json() {}
}
