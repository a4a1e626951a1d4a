package io.ringhook.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One entry of {@code agents}: an AI agent reached over WebSocket (Twilio Media Streams messages).
 *
 * @param name           the agent's name, the key in {@code agents}
 * @param url            a {@code ws://} or {@code wss://} URL
 * @param connectTimeout the deadline for connecting and the {@code connected}/{@code start} handshake
 */
public record AgentSettings(String name, URI url, Duration connectTimeout) {
  /** The default {@code connect_timeout}: 3 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  public AgentSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
  }
}
