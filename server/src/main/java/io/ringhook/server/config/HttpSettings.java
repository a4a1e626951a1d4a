package io.ringhook.server.config;

import java.util.Objects;

/**
 * The {@code http} section: where ringhook serves its admin HTTP and the built-in {@code demo} agent.
 *
 * @param host the listen address, an IP literal
 * @param port the listen port, 1..65535
 */
public record HttpSettings(String host, int port) {
  /** The defaults: {@code 0.0.0.0:8080}. */
  public static final HttpSettings DEFAULTS = new HttpSettings("0.0.0.0", 8080);

  public HttpSettings {
    Objects.requireNonNull(host, "host");
  }
}
