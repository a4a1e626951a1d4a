package io.ringhook.webhook;

import static io.ringhook.webhook.WebhookClientTest.CLOCK;

import java.util.ArrayList;
import java.util.List;

/** What a test opened (servers, clients, captured logs), closed in reverse order after it. */
final class TestResources implements AutoCloseable {
  private final List<AutoCloseable> open = new ArrayList<>();

  /** A client with the tests' fixed clock, closed after the test. */
  WebhookClient client(WebhookClient.Builder b) {
    return add(b.clock(CLOCK).build());
  }

  /** An HTTP/1.1 scripted server, closed after the test (after the clients). */
  ScriptedServer server(ScriptedServer.Script script) throws InterruptedException {
    return add(ScriptedServer.start(script));
  }

  <T extends AutoCloseable> T add(T resource) {
    open.add(resource);
    return resource;
  }

  @Override
  public void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        throw new AssertionError("closing " + open.get(i), e);
      }
    }
  }
}
