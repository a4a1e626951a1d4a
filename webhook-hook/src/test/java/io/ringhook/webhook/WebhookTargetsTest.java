package io.ringhook.webhook;

import static io.ringhook.webhook.ScriptedServer.json;
import static io.ringhook.webhook.ScriptedServer.sequence;
import static io.ringhook.webhook.WebhookClientTest.CLOCK;
import static io.ringhook.webhook.WebhookClientTest.FAST;
import static io.ringhook.webhook.WebhookClientTest.await;
import static io.ringhook.webhook.WebhookClientTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where webhooks may connect (issue 13, item 9): never link-local or metadata addresses, private
 * ones unless turned off; checked on the address the name resolves to, when connecting.
 */
class WebhookTargetsTest {
  private WebhookClient client;
  private ScriptedServer server;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aNameThatResolvesToAForbiddenAddressIsRefusedAtConnectAndNothingIsSent() throws Exception {
    server = ScriptedServer.start(sequence(json(200, "{}")));
    client = WebhookClient.builder().clock(CLOCK).targets(WebhookTargets.allowPrivate(false)).build();
    // "localhost" looks like any name in the URL; only its resolved address (loopback) tells.
    URI url = URI.create("http://localhost:" + server.port() + "/hook");
    assertEquals(Optional.empty(), WebhookTargets.allowPrivate(false).urlRefusal(url));

    WebhookResult.Failure f = assertInstanceOf(WebhookResult.Failure.class, await(client.call(request(url), FAST)));
    assertEquals(FailureReason.REFUSED, f.reason());
    assertTrue(f.lastAttempt().detail().contains("loopback or private"), f.lastAttempt().detail());
    assertEquals(List.of(), server.requests(), "nothing reached the server");
  }

  @Test
  void theMetadataEndpointIsRefusedAtOnceEvenWithPrivateNetworksAllowed() throws Exception {
    client = WebhookClient.builder().clock(CLOCK).build();
    URI url = URI.create("http://169.254.169.254/latest/meta-data/");
    WebhookResult.Failure f = assertInstanceOf(WebhookResult.Failure.class, await(client.call(request(url), FAST)));
    assertEquals(FailureReason.REFUSED, f.reason(), "refused, not a connect timeout: " + f);
    assertTrue(f.lastAttempt().detail().contains("link-local"), f.lastAttempt().detail());
  }

  @Test
  void urlAndAddressRules() throws Exception {
    WebhookTargets open = WebhookTargets.DEFAULT;
    WebhookTargets closed = WebhookTargets.allowPrivate(false);
    for (String refused : List.of("http://169.254.169.254/", "http://[fe80::1]/x", "http://metadata.google.internal/",
        "http://[fd00:ec2::254]/", "http://100.100.100.200/", "http://0.0.0.0/")) {
      assertTrue(open.urlRefusal(URI.create(refused)).isPresent(), refused);
    }
    for (String ok : List.of("https://crm.example.com/hook", "http://10.1.2.3/hook", "http://127.0.0.1:8080/",
        "http://[fd12::1]/", "http://192.168.1.5/")) {
      assertEquals(Optional.empty(), open.urlRefusal(URI.create(ok)), ok);
    }
    for (String privateUrl : List.of("http://10.1.2.3/hook", "http://127.0.0.1:8080/", "http://[fd12::1]/",
        "http://100.64.0.1/", "http://172.16.0.1/")) {
      assertTrue(closed.urlRefusal(URI.create(privateUrl)).isPresent(), privateUrl);
    }
    assertEquals(Optional.empty(), closed.refusal(InetAddress.getByName("203.0.113.9")));
  }
}
