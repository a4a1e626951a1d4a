package io.ringhook.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringhook.server.peers.FreePorts;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The web console (issue 17) in a real headless Chromium against the real jar: an operator sets a
 * number's webhook URL in the Phone Numbers form and sends a test webhook; a real SIP call to the
 * number rings while the real webhook holds its answer and shows on Live calls, pushed by the
 * server; once answered and hung up it is in the history with its webhook attempt. With an admin
 * token, a browser without a session gets the login page and no data. Every page is saved as a
 * screenshot under target/console-screenshots/.
 */
@Timeout(180)
class ConsoleIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String NUMBER = "+15550000040";
  private static final String FROM = "sip:+12345678912@127.0.0.1";

  @TempDir
  Path dir;

  private final Resources resources = new Resources();

  @AfterEach
  void closeEverything() {
    resources.close();
  }

  @Test
  void anOperatorSetsTheWebhookWatchesTheCallRingAndFindsItInTheHistory() throws Exception {
    AtomicReference<TestWebhook.Reply> held = new AtomicReference<>();
    TestWebhook hook = resources.add(TestWebhook.start(r -> {
      if ("true".equals(r.header("X-Ringhook-Test"))) {
        return TestWebhook.Reply.json(200, "{\"note\":\"test received\"}");
      }
      TestWebhook.Reply h = TestWebhook.Reply.hold();
      held.set(h);
      return h;
    }));
    Jar ring = startJar("numbers:\n  \"" + NUMBER + "\": {}\n  \"+15550000041\": {}\n", Map.of());
    AdminClient admin = new AdminClient(ring.httpPort(), Optional.empty());
    Browser browser = resources.add(new Browser(ring.httpPort()));

    // Phone Numbers: the file's numbers; set the webhook URL and a secret in the form.
    browser.open("/console/numbers");
    browser.awaitText("#numbers tbody tr", NUMBER).click();
    browser.awaitText("#s-source", "configuration file");
    WebElement url = browser.find("#f-url");
    url.clear();
    url.sendKeys("crm.example.com/in");
    browser.find("#save").click();
    // The API's own validation, shown beside the field.
    browser.awaitText(".field-error[data-for=inbound_webhook_url]", "must be an absolute http:// or https:// URL");
    url.clear();
    url.sendKeys(hook.url("/crm"));
    browser.find("#f-secret").sendKeys("console-secret");
    browser.find("#save").click();
    browser.awaitText("#saved", "Saved");
    JsonNode set = admin.get("/v1/numbers/%2B15550000040").json();
    assertEquals(hook.url("/crm"), set.path("inbound_webhook_url").asText(), set.toString());
    assertTrue(set.path("webhook_secret_set").asBoolean(), set.toString());
    assertEquals("api_over_file", set.path("source").asText());
    assertFalse(browser.driver().getPageSource().contains("console-secret"), "the secret never comes back");

    // Send test webhook: a marked, signed sample request; the page shows what came back.
    browser.find("#send-test").click();
    browser.awaitText("#tr-status", "HTTP 200");
    browser.awaitText("#tr-body", "test received");
    TestWebhook.Received test = hook.awaitRequests(1, WAIT).get(0);
    assertEquals("true", test.header("X-Ringhook-Test"), test.toString());
    assertNotNull(test.header("X-Ringhook-Signature"), "signed with the number's new secret: " + test);
    assertEquals("{\"event\":\"inbound_call\",\"from_number\":\"+15005550006\",\"to_number\":\"" + NUMBER + "\"}",
        test.bodyText());
    browser.screenshot("numbers");

    // Live calls: a real call rings while the webhook holds its answer.
    browser.open("/console/live");
    browser.awaitText("#conn", "live");
    SipTestClient client = resources.add(SipTestClient.builder("console").start());
    RtpPeer rtp = resources.add(RtpPeer.open("console"));
    SipTestCall call = client.invite("sip:" + NUMBER + "@127.0.0.1:" + ring.sipPort()).from(FROM).sdp(Sdp.audio(rtp.port(), 0, 101)).send();
    call.awaitResponse(180, WAIT);
    TestWebhook.Received asked = hook.awaitRequests(2, WAIT).get(1);
    assertEquals("/crm", asked.target());
    String callId = browser.await("the call ringing on Live calls, its first attempt in flight", d -> {
      for (WebElement tr : d.findElements(By.cssSelector("#live tbody tr"))) {
        String t = tr.getText();
        if (t.contains(NUMBER) && t.contains("+12345678912") && t.contains("ringing")
            && t.contains("attempt 1 in flight")) {
          return tr.getAttribute("data-call");
        }
      }
      return null;
    });
    // "Time in state" ticks in the page, without a reload or a new event, into seconds.
    browser.await("time in state to pass a second", d -> d.findElement(By.cssSelector("#live tbody tr td.elapsed"))
        .getText().matches("\\d+(\\.\\d)? s") ? true : null);
    browser.screenshot("live");

    // The webhook says yes: the call is answered and the page shows it connected to the demo agent.
    held.get().release(200, "{\"dynamic_variables\":{\"customer\":\"Ada Lovelace\",\"tier\":\"gold\"}}");
    call.awaitResponse(200, WAIT);
    call.ack();
    browser.await("the call connected to the demo agent", d -> d.findElements(By.cssSelector("#live tbody tr")).stream()
        .anyMatch(tr -> tr.getText().contains("connected") && tr.getText().contains("demo")) ? true : null);
    Thread.sleep(500);
    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    browser.await("the call to leave Live calls", d -> d.findElements(By.cssSelector("#live tbody tr")).isEmpty());
    assertTrue(browser.find("#live-empty").isDisplayed());

    // History: the record, then its page with the webhook attempt and the variables.
    admin.await("/v1/calls/" + callId, 200, WAIT);
    browser.open("/console/calls");
    WebElement listed = browser.awaitText("#calls tbody tr", NUMBER);
    assertTrue(listed.getText().contains("connected"), listed.getText());
    browser.screenshot("calls");
    listed.findElement(By.cssSelector("a")).click();
    browser.awaitText("#c-id", callId);
    WebElement attempt = browser.awaitText("#c-attempts tbody tr", "200");
    assertTrue(attempt.getText().contains("ok"), attempt.getText());
    browser.awaitText("#c-variables", "Ada Lovelace");
    browser.awaitText("#c-timeline", "200 OK sent (answered)");
    browser.awaitText("#c-facts", "caller");
    browser.screenshot("call");

    // Overview: real charts from the server's meters (a point every 5 s).
    browser.open("/console/");
    browser.await("charts with data", d -> {
      List<WebElement> charts = d.findElements(By.cssSelector(".chart .uplot canvas"));
      return charts.size() == 6 && !d.findElement(By.id("t-calls")).getText().equals("0")
          && !d.findElement(By.id("t-calls")).getText().equals("–") ? charts : null;
    });
    browser.screenshot("overview");
  }

  @Test
  void withATokenABrowserWithoutASessionGetsTheLoginPageAndNoData() throws Exception {
    String token = "console-it-token";
    Jar ring = startJar("numbers:\n  \"" + NUMBER + "\": {}\n", Map.of("RINGHOOK_ADMIN_TOKEN", token));
    Browser browser = resources.add(new Browser(ring.httpPort()));

    browser.open("/console/numbers");
    browser.await("the login page", d -> d.getCurrentUrl().endsWith("/console/login") ? true : null);
    assertFalse(browser.driver().getPageSource().contains(NUMBER), "no data on the login page");
    String api = browser.fetch("/v1/numbers");
    assertTrue(api.startsWith("401 "), api);
    assertFalse(api.contains(NUMBER), api);
    assertTrue(browser.fetch("/v1/live-calls/stream").startsWith("401 "));
    browser.screenshot("login");

    browser.find("#token").sendKeys("wrong");
    browser.find("button[type=submit]").click();
    browser.awaitText("#login-error", "Wrong admin token");

    browser.find("#token").sendKeys(token);
    browser.find("button[type=submit]").click();
    // The form's POST lands on the overview; opening another page before it does would race it.
    browser.awaitText("h1", "Overview");
    browser.open("/console/numbers");
    browser.awaitText("#numbers tbody tr", NUMBER);
    // The session cookie is HttpOnly: the page's scripts cannot read it.
    assertEquals("", browser.driver().executeScript("return document.cookie;"));
    // A write without the page's CSRF token is refused even with the cookie.
    Object put = browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "fetch('/v1/numbers/%2B15550000040', {method: 'PUT', credentials: 'same-origin',"
        + " headers: {'Content-Type': 'application/json'}, body: '{}'}).then(r => done(r.status));");
    assertEquals(403L, put);

    browser.find(".logout button").click();
    browser.await("the login page after logging out", d -> d.getCurrentUrl().endsWith("/console/login") ? true : null);
    assertTrue(browser.fetch("/v1/numbers").startsWith("401 "));
  }

  /** The real jar on free loopback ports with its own records file. */
  private record Jar(int sipPort, int httpPort) {}

  private Jar startJar(String extraYaml, Map<String, String> env) throws Exception {
    int sip = FreePorts.udpAndTcp();
    int http = FreePorts.udpAndTcp();
    int rtpMin = 9000 + 200 * java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 5);
    resources.add(RingJar.start(dir, "ringhook", ""
        + "sip: {host: 127.0.0.1, port: " + sip + "}\n"
        + "rtp: {host: 127.0.0.1, port_min: " + rtpMin + ", port_max: " + (rtpMin + 99) + "}\n"
        + "http: {host: 127.0.0.1, port: " + http + "}\n"
        + "records: {url: \"jdbc:sqlite:" + dir.resolve("records.db") + "\"}\n"
        + extraYaml, env));
    return new Jar(sip, http);
  }
}
