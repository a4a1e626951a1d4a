package io.ringhook.server.admin;

import static io.ringhook.server.admin.AdminFixture.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who the admin API serves, over real HTTP: loopback only without a token, the bearer token with one. */
class AdminAuthTest {
  @TempDir
  Path dir;

  @Test
  void withoutATokenLoopbackClientsAreServed() throws Exception {
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.defaults())) {
      assertEquals(200, f.get("/v1/numbers").statusCode());
      assertEquals(200, f.get("/v1/calls").statusCode());
      assertEquals(200, f.get("/metrics").statusCode());
    }
  }

  @Test
  void withoutATokenOnlyRequestsForLocalhostAnAddressOrAnAllowedNameAreServed() throws Exception {
    // DNS rebinding (issue 13, item 8): a page on evil.example re-points its name at 127.0.0.1 and
    // its script's requests carry Host: evil.example. The JDK's client will not set Host: raw HTTP.
    try (AdminFixture f = new AdminFixture(dir, b -> b.allowedHosts(List.of("ringhook.internal")))) {
      int port = f.frontend.port();
      assertEquals(421, status(port, "evil.example:" + port));
      assertEquals(421, status(port, "evil.example"));
      assertEquals(421, status(port, "localhost.evil.example"));
      assertEquals(200, status(port, "localhost:" + port));
      assertEquals(200, status(port, "127.0.0.1:" + port));
      assertEquals(200, status(port, "[::1]:" + port));
      assertEquals(200, status(port, "RingHook.Internal:" + port));
      assertEquals(200, status(port, null), "no Host: not a browser");
    }
    // A token is the credential: the Host does not matter then.
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.token("t0ken-for-tests"))) {
      int port = f.frontend.port();
      assertEquals(401, status(port, "evil.example"));
    }
  }

  /** The status of {@code GET /v1/numbers} sent as raw HTTP/1.x with {@code host} (none when null). */
  private static int status(int port, String host) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      String req = host == null ? "GET /v1/numbers HTTP/1.0\r\n\r\n"
          : "GET /v1/numbers HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  @Test
  void withATokenRequestsWithoutItOrWithAWrongOneAreRefused() throws Exception {
    try (AdminFixture f = new AdminFixture(dir, AdminFixture.token("t0ken-for-tests"))) {
      for (String path : List.of("/v1/numbers", "/v1/numbers/+15550000001", "/v1/calls", "/v1/calls/x",
          "/v1/nothing-here", "/metrics")) {
        HttpResponse<String> none = f.get(path);
        assertEquals(401, none.statusCode(), path);
        assertTrue(none.headers().firstValue("www-authenticate").orElseThrow().startsWith("Bearer"), path);
        assertEquals("send the admin token: Authorization: Bearer <token>", error(none));
        HttpResponse<String> wrong = f.get(path, "Authorization", "Bearer t0ken-for-test");
        assertEquals(401, wrong.statusCode(), path);
        assertTrue(wrong.headers().firstValue("www-authenticate").orElseThrow().startsWith("Bearer"), path);
        assertEquals("wrong admin token", error(wrong));
      }
      // Refused before anything is done: the number was not stored.
      assertEquals(401, f.send("PUT", "/v1/numbers/+15550000009", "{}").statusCode());
      assertEquals(Optional.empty(), f.store.number("+15550000009"));

      assertEquals(200, f.get("/v1/numbers", "Authorization", "Bearer t0ken-for-tests").statusCode());
      assertEquals(200, f.get("/metrics", "Authorization", "Bearer t0ken-for-tests").statusCode());
      assertEquals(200, f.send("PUT", "/v1/numbers/+15550000009", "{}", "Authorization", "Bearer t0ken-for-tests")
          .statusCode());
      // Probes never need it.
      assertEquals(200, f.get("/healthz").statusCode());
      assertEquals(200, f.get("/readyz").statusCode());
    }
  }

  @Test
  void withoutATokenOtherClientsGet403() throws Exception {
    Optional<InetAddress> own = ownNonLoopbackAddress();
    assumeTrue(own.isPresent(), "this machine has no non-loopback address; AuthTest covers the decision");
    try (AdminFixture f = new AdminFixture(dir, "0.0.0.0", AdminFixture.defaults())) {
      String host = own.get().getHostAddress();
      HttpResponse<String> r = f.sendTo(host, "GET", "/v1/numbers", null);
      assertEquals(403, r.statusCode());
      assertEquals(AdminApi.LOOPBACK_ONLY, error(r));
      assertEquals(403, f.sendTo(host, "GET", "/metrics", null).statusCode());
      HttpResponse<String> console = f.sendTo(host, "GET", "/console/numbers", null);
      assertEquals(403, console.statusCode());
      assertTrue(console.body().contains("only on loopback"), console.body());
      assertTrue(console.headers().firstValue("set-cookie").isEmpty(), "no session for other hosts");
      assertEquals(200, f.sendTo(host, "GET", "/healthz", null).statusCode());
      assertEquals(200, f.sendTo(host, "GET", "/readyz", null).statusCode());
      assertEquals(200, f.sendTo("127.0.0.1", "GET", "/v1/numbers", null).statusCode());
    }
  }

  @Test
  void withATokenOtherClientsAreServedWithIt() throws Exception {
    Optional<InetAddress> own = ownNonLoopbackAddress();
    assumeTrue(own.isPresent(), "this machine has no non-loopback address; AuthTest covers the decision");
    try (AdminFixture f = new AdminFixture(dir, "0.0.0.0", AdminFixture.token("t0ken"))) {
      String host = own.get().getHostAddress();
      assertEquals(401, f.sendTo(host, "GET", "/v1/numbers", null).statusCode());
      assertEquals(200, f.sendTo(host, "GET", "/v1/numbers", null, "Authorization", "Bearer t0ken").statusCode());
    }
  }

  private static Optional<InetAddress> ownNonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
