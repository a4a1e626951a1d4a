package io.ringhook.server.admin;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Who may use the admin API: with a token configured, whoever sends {@code Authorization: Bearer
 * <token>}; without one, loopback clients only, so an unconfigured server never exposes it.
 */
final class Auth {
  /** The answer for one request. */
  enum Decision { ALLOW, NO_TOKEN, WRONG_TOKEN, NOT_LOOPBACK, WRONG_HOST }

  private static final String BEARER = "bearer ";

  // The token's SHA-256, so comparing takes the same time whatever its length or the guess's.
  private final Optional<byte[]> tokenHash;
  private final HostCheck hosts;

  Auth(Optional<String> token) {
    this(token, List.of());
  }

  /**
   * @param allowedHosts the names, besides IP addresses and {@code localhost}, a token-less request
   *                     may carry in {@code Host} ({@code http.allowed_hosts})
   */
  Auth(Optional<String> token, List<String> allowedHosts) {
    this.hosts = new HostCheck(allowedHosts);
    token.ifPresent(t -> {
      if (t.isEmpty()) {
        throw new IllegalArgumentException("the admin token must not be empty");
      }
    });
    this.tokenHash = token.map(Auth::sha256);
  }

  /** Whether a token is configured. */
  boolean tokenConfigured() {
    return tokenHash.isPresent();
  }

  /** As {@link #check(Optional, Optional, InetAddress)} for a request without a Host header. */
  Decision check(Optional<String> authorization, InetAddress client) {
    return check(authorization, Optional.empty(), client);
  }

  /**
   * The decision for a request from {@code client} carrying {@code authorization} and {@code host}
   * (the headers, if any).
   */
  Decision check(Optional<String> authorization, Optional<String> host, InetAddress client) {
    if (tokenHash.isEmpty()) {
      if (!client.isLoopbackAddress()) {
        return Decision.NOT_LOOPBACK;
      }
      return hosts.accepts(host) ? Decision.ALLOW : Decision.WRONG_HOST;
    }
    if (authorization.isEmpty()) {
      return Decision.NO_TOKEN;
    }
    String h = authorization.get().trim();
    // RFC 9110 11.1: the scheme name is case-insensitive.
    if (h.length() <= BEARER.length() || !h.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Decision.NO_TOKEN;
    }
    byte[] given = sha256(h.substring(BEARER.length()).trim());
    return MessageDigest.isEqual(given, tokenHash.get()) ? Decision.ALLOW : Decision.WRONG_TOKEN;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
