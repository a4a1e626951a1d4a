package io.ringhook.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringhook.server.admin.Auth.Decision;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The admin API's access decision, for clients a test cannot connect from. */
class AuthTest {
  private static final InetAddress REMOTE_V4 = address("192.0.2.77");
  private static final InetAddress REMOTE_V6 = address("2001:db8::77");
  private static final InetAddress LOOPBACK_V4 = address("127.0.0.1");
  private static final InetAddress LOOPBACK_V4_OTHER = address("127.1.2.3");
  private static final InetAddress LOOPBACK_V6 = address("::1");

  @Test
  void withoutATokenOnlyLoopbackIsServed() {
    Auth auth = new Auth(Optional.empty());
    assertEquals(Decision.ALLOW, auth.check(Optional.empty(), LOOPBACK_V4));
    assertEquals(Decision.ALLOW, auth.check(Optional.empty(), LOOPBACK_V4_OTHER));
    assertEquals(Decision.ALLOW, auth.check(Optional.empty(), LOOPBACK_V6));
    assertEquals(Decision.NOT_LOOPBACK, auth.check(Optional.empty(), REMOTE_V4));
    assertEquals(Decision.NOT_LOOPBACK, auth.check(Optional.empty(), REMOTE_V6));
    // A token the server does not have opens nothing.
    assertEquals(Decision.NOT_LOOPBACK, auth.check(Optional.of("Bearer anything"), REMOTE_V4));
  }

  @Test
  void withATokenEveryClientNeedsIt() {
    Auth auth = new Auth(Optional.of("s3cret-token"));
    for (InetAddress client : new InetAddress[] {LOOPBACK_V4, REMOTE_V4, REMOTE_V6}) {
      assertEquals(Decision.ALLOW, auth.check(Optional.of("Bearer s3cret-token"), client));
      assertEquals(Decision.ALLOW, auth.check(Optional.of("bearer  s3cret-token "), client));
      assertEquals(Decision.NO_TOKEN, auth.check(Optional.empty(), client));
      assertEquals(Decision.NO_TOKEN, auth.check(Optional.of("Basic czNjcmV0LXRva2Vu"), client));
      assertEquals(Decision.NO_TOKEN, auth.check(Optional.of("Bearer "), client));
      assertEquals(Decision.WRONG_TOKEN, auth.check(Optional.of("Bearer s3cret-toke"), client));
      assertEquals(Decision.WRONG_TOKEN, auth.check(Optional.of("Bearer s3cret-token2"), client));
      assertEquals(Decision.WRONG_TOKEN, auth.check(Optional.of("Bearer S3CRET-TOKEN"), client));
    }
  }

  @Test
  void anEmptyTokenIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Auth(Optional.of("")));
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
