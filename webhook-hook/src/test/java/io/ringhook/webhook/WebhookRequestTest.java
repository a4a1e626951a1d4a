package io.ringhook.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class WebhookRequestTest {

  private static final URI URL = URI.create("https://crm.example.com/inbound");

  @Test
  void validRequestKeepsItsFields() {
    WebhookRequest r = new WebhookRequest("abc@host", "anonymous", "+12345678913", URL, "s3cret");
    assertEquals("abc@host", r.callId());
    assertEquals("s3cret", r.signingSecret().orElseThrow());
    assertTrue(WebhookRequest.unsigned("abc", "+1", "+2", URL).signingSecret().isEmpty());
  }

  @Test
  void toStringNeverShowsTheSecret() {
    WebhookRequest r = new WebhookRequest("abc", "+1", "+2", URL, "s3cret");
    assertFalse(r.toString().contains("s3cret"), r.toString());
  }

  @Test
  void callIdMustBeSafeInAHeader() {
    assertMessage("callId must be printable ASCII without spaces (it is sent as a header), got a U+000D at index 3",
        () -> WebhookRequest.unsigned("abc\r\nX-Evil: 1", "+1", "+2", URL));
    assertMessage("callId must be 1 to 256 characters, got 0",
        () -> WebhookRequest.unsigned("", "+1", "+2", URL));
    assertMessage("callId must be 1 to 256 characters, got 257",
        () -> WebhookRequest.unsigned("x".repeat(257), "+1", "+2", URL));
  }

  @Test
  void numbersAndSecretMustNotBeBlank() {
    assertMessage("fromNumber must not be blank (use \"anonymous\")",
        () -> WebhookRequest.unsigned("a", " ", "+2", URL));
    assertMessage("toNumber must not be blank", () -> WebhookRequest.unsigned("a", "+1", "", URL));
    assertMessage("secret must not be empty (pass null to send unsigned requests)",
        () -> new WebhookRequest("a", "+1", "+2", URL, ""));
    assertThrows(NullPointerException.class, () -> WebhookRequest.unsigned("a", null, "+2", URL));
  }

  @Test
  void urlsAreCheckedAtTheBoundary() {
    assertEquals(URL, WebhookRequest.checkUrl(URL));
    WebhookRequest.checkUrl(URI.create("HTTP://[::1]:8080/x?y=1"));
    assertMessage("url must be an absolute http or https URL, got ftp://example.com/",
        () -> WebhookRequest.checkUrl(URI.create("ftp://example.com/")));
    assertMessage("url must be an absolute http or https URL, got /relative",
        () -> WebhookRequest.checkUrl(URI.create("/relative")));
    assertMessage("url has no valid host name: https://bad_host.example.com/",
        () -> WebhookRequest.checkUrl(URI.create("https://bad_host.example.com/")));
    assertMessage("url has an invalid port: http://example.com:0/",
        () -> WebhookRequest.checkUrl(URI.create("http://example.com:0/")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WebhookRequest.checkUrl(URI.create("https://user:pw@example.com/")));
    assertFalse(e.getMessage().contains("pw"), e.getMessage());
  }

  private static void assertMessage(String expected, Runnable r) {
    assertEquals(expected, assertThrows(IllegalArgumentException.class, r::run).getMessage());
  }
}
