package io.ringhook.server.config;

import java.util.Objects;

/**
 * The {@code logging} section.
 *
 * @param format {@link Format#TEXT} (human-readable, the default) or {@link Format#JSON} (one JSON
 *               object a line, for log shippers); either way a call's lines carry its call id
 */
public record LoggingSettings(Format format) {
  public static final LoggingSettings DEFAULTS = new LoggingSettings(Format.TEXT);

  /** How log lines are written. */
  public enum Format { TEXT, JSON }

  public LoggingSettings {
    Objects.requireNonNull(format, "format");
  }
}
