package io.ringhook.server.admin;

import io.ringhook.server.config.Secret;
import io.ringhook.server.config.WebhookSettings;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What happens now to calls to one dialed number: the configuration file's entry, or the entry set
 * through the admin API, which replaces the file's URL, secret and agent as a whole.
 *
 * @param number     the dialed number, E.164
 * @param webhookUrl the inbound call webhook; empty means the call connects straight to the agent
 * @param secret     the key that signs webhook requests, when they are signed
 * @param agent      the agent's name, resolved: a built-in agent ({@code demo}, {@code echo}) or a key of the
 *                   file's {@code agents}
 * @param webhook    timeout, retries, backoff and failure response: the file's entry for the number
 *                   when it has one, else the {@code webhook} section (never set through the API)
 * @param source     where the URL, secret and agent come from
 * @param updated    when the API entry was last written; empty for {@link Source#FILE}
 */
public record EffectiveNumber(String number, Optional<URI> webhookUrl, Optional<Secret> secret, String agent,
                              WebhookSettings webhook, Source source, Optional<Instant> updated) {
  public EffectiveNumber {
    Objects.requireNonNull(number, "number");
    Objects.requireNonNull(webhookUrl, "webhookUrl");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(webhook, "webhook");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(updated, "updated");
  }

  /** Where a number's URL, secret and agent come from. */
  public enum Source {
    /** The configuration file's {@code numbers} entry. */
    FILE,
    /** An entry set through the admin API; the file does not list the number. */
    API,
    /** An entry set through the admin API, replacing the file's entry for the number. */
    API_OVER_FILE;

    /** The name in JSON: {@code file}, {@code api}, {@code api_over_file}. */
    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
