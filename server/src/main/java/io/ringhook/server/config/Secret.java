package io.ringhook.server.config;

import java.util.Objects;

/**
 * A secret from the configuration (a webhook signing key) that never shows itself in logs: its
 * {@link #toString()} is {@code (hidden)}, so records holding one can be printed safely.
 *
 * @param value the secret itself; read it only where it is used
 */
public record Secret(String value) {
  public Secret {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a secret must not be empty");
    }
  }

  @Override
  public String toString() {
    return "(hidden)";
  }
}
