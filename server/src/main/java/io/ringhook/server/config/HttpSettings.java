package io.ringhook.server.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code http} section: where ringhook serves its admin HTTP and the built-in {@code demo} agent.
 *
 * @param host       the listen address, an IP literal
 * @param port       the listen port, 1..65535
 * @param adminToken the bearer token the admin API ({@code /v1/*}, {@code /metrics}) requires; with
 *                   none it answers only clients on loopback. {@code RINGHOOK_ADMIN_TOKEN} from the
 *                   environment when the key is absent.
 * @param allowedHosts host names, besides IP addresses and {@code localhost}, that token-less admin
 *                   requests may name in {@code Host} (DNS rebinding defence)
 */
public record HttpSettings(String host, int port, Optional<Secret> adminToken, List<String> allowedHosts) {
  /** The defaults: {@code 0.0.0.0:8080}, no token. */
  public static final HttpSettings DEFAULTS = new HttpSettings("0.0.0.0", 8080);

  /** The environment variable read when {@code http.admin_token} is absent. */
  public static final String TOKEN_ENV = "RINGHOOK_ADMIN_TOKEN";

  public HttpSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(adminToken, "adminToken");
    allowedHosts = List.copyOf(allowedHosts);
  }

  /** Settings with no allowed host names. */
  public HttpSettings(String host, int port, Optional<Secret> adminToken) {
    this(host, port, adminToken, List.of());
  }

  /** Settings without a token. */
  public HttpSettings(String host, int port) {
    this(host, port, Optional.empty());
  }
}
