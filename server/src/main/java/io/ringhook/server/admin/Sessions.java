package io.ringhook.server.admin;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The console's browser sessions: a random id in an HttpOnly, SameSite=Strict cookie, and with each
 * a CSRF token that the console's pages send back on every write. Sessions expire after
 * {@link #IDLE} without use; at most {@link #MAX} are kept (the least recently used goes first).
 * In memory only: a restart logs everyone out.
 */
final class Sessions {
  static final String COOKIE = "ringhook_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  static final Duration IDLE = Duration.ofHours(12);
  static final int MAX = 1000;

  /** One browser session. */
  record Session(String id, String csrf) {}

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  // Access order: the eldest entry is the least recently used.
  private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true);

  private record Entry(Session session, Instant lastUsed) {}

  Sessions(Clock clock) {
    this.clock = clock;
  }

  /** A new session. */
  synchronized Session create() {
    Session s = new Session(token(), token());
    sessions.put(s.id(), new Entry(s, clock.instant()));
    if (sessions.size() > MAX) {
      Iterator<Map.Entry<String, Entry>> eldest = sessions.entrySet().iterator();
      eldest.next();
      eldest.remove();
    }
    return s;
  }

  /** The live session named by the request's {@code Cookie} header, if any; using it extends it. */
  synchronized Optional<Session> find(Optional<String> cookieHeader) {
    Optional<String> id = cookieHeader.flatMap(Sessions::cookieValue);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    Entry e = sessions.get(id.get());
    Instant now = clock.instant();
    if (e == null) {
      return Optional.empty();
    }
    if (e.lastUsed().plus(IDLE).isBefore(now)) {
      sessions.remove(id.get());
      return Optional.empty();
    }
    sessions.put(id.get(), new Entry(e.session(), now));
    return Optional.of(e.session());
  }

  /** Ends a session (logout). */
  synchronized void remove(Session s) {
    sessions.remove(s.id());
  }

  /** The {@code Set-Cookie} value for {@code s}: HttpOnly, SameSite=Strict, the whole port. */
  static String setCookie(Session s) {
    return COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict";
  }

  /** The {@code Set-Cookie} value that removes the cookie. */
  static String clearCookie() {
    return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  }

  private static Optional<String> cookieValue(String header) {
    for (String part : header.split(";")) {
      String p = part.trim();
      if (p.startsWith(COOKIE + "=")) {
        return Optional.of(p.substring(COOKIE.length() + 1));
      }
    }
    return Optional.empty();
  }

  private String token() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
