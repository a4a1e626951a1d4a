package io.ringhook.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookPolicyTest {

  private static final List<Duration> BACKOFF =
      List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1));

  @Test
  void defaultsAreTheDocumentedOnes() {
    WebhookPolicy p = WebhookPolicy.DEFAULT;
    assertEquals(Duration.ofSeconds(10), p.timeout());
    assertEquals(3, p.retries());
    assertEquals(4, p.maxAttempts());
    assertEquals(BACKOFF, p.backoff());
    assertEquals(65536, p.maxResponseBytes());
  }

  @Test
  void theLastBackoffRepeats() {
    WebhookPolicy p = WebhookPolicy.DEFAULT.withRetries(5);
    assertEquals(Duration.ofMillis(250), p.backoffBefore(2));
    assertEquals(Duration.ofMillis(500), p.backoffBefore(3));
    assertEquals(Duration.ofSeconds(1), p.backoffBefore(4));
    assertEquals(Duration.ofSeconds(1), p.backoffBefore(6));
    assertThrows(IllegalArgumentException.class, () -> p.backoffBefore(1));
    assertThrows(IllegalArgumentException.class, () -> p.backoffBefore(7));
  }

  @Test
  void backoffIsCopied() {
    List<Duration> mutable = new ArrayList<>(BACKOFF);
    WebhookPolicy p = new WebhookPolicy(Duration.ofSeconds(1), 1, mutable, 10);
    mutable.clear();
    assertEquals(BACKOFF, p.backoff());
  }

  @Test
  void invalidValuesAreRefusedWithClearMessages() {
    assertMessage("timeout must be between 1ms and 1h, got PT0S",
        () -> new WebhookPolicy(Duration.ZERO, 3, BACKOFF, 10));
    assertMessage("timeout must be between 1ms and 1h, got PT1H0.001S",
        () -> new WebhookPolicy(Duration.ofMillis(3_600_001), 3, BACKOFF, 10));
    assertMessage("retries must be between 0 and 10, got -1",
        () -> WebhookPolicy.DEFAULT.withRetries(-1));
    assertMessage("retries must be between 0 and 10, got 11",
        () -> WebhookPolicy.DEFAULT.withRetries(11));
    assertMessage("backoff[1] must be between 0 and 1h, got PT-0.001S",
        () -> WebhookPolicy.DEFAULT.withBackoff(List.of(Duration.ZERO, Duration.ofMillis(-1))));
    assertMessage("backoff[0] must not be null",
        () -> WebhookPolicy.DEFAULT.withBackoff(Arrays.asList((Duration) null)));
    assertMessage("max_response_bytes must be between 1 and 16777216, got 0",
        () -> WebhookPolicy.DEFAULT.withMaxResponseBytes(0));
    assertThrows(NullPointerException.class, () -> WebhookPolicy.DEFAULT.withTimeout(null));
  }

  @Test
  void anEmptyBackoffMeansNoPause() {
    WebhookPolicy p = WebhookPolicy.DEFAULT.withBackoff(List.of());
    assertEquals(Duration.ZERO, p.backoffBefore(2));
    assertEquals(Duration.ZERO, p.backoffBefore(4));
  }

  @Test
  void theConfigurationsLimitsAreAccepted() {
    WebhookPolicy p =
        new WebhookPolicy(Duration.ofHours(1), 10, List.of(Duration.ZERO, Duration.ofHours(1)),
            WebhookPolicy.MAX_RESPONSE_BYTES_LIMIT);
    assertEquals(11, p.maxAttempts());
    assertEquals(Duration.ofMillis(1), WebhookPolicy.DEFAULT.withTimeout(Duration.ofMillis(1)).timeout());
  }

  private static void assertMessage(String expected, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertEquals(expected, e.getMessage());
  }
}
