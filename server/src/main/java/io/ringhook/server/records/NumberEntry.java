package io.ringhook.server.records;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A number's inbound settings set at run time through the admin API. They replace the
 * configuration file's URL, secret and agent for that number as a whole: an empty URL means no
 * webhook, an empty secret unsigned requests, an empty agent {@code default_agent}. (The file's
 * webhook timeout, retries and failure response for the number still apply.)
 *
 * @param number        the dialed number, E.164
 * @param webhookUrl    the inbound webhook URL (http or https)
 * @param webhookSecret the HMAC signing secret
 * @param agent         the agent's name ({@code demo} or a key of the file's {@code agents})
 * @param updated       when it was last written
 */
public record NumberEntry(String number, Optional<String> webhookUrl, Optional<String> webhookSecret,
                          Optional<String> agent, Instant updated) {
  public NumberEntry {
    Objects.requireNonNull(number, "number");
    Objects.requireNonNull(webhookUrl, "webhookUrl");
    Objects.requireNonNull(webhookSecret, "webhookSecret");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(updated, "updated");
  }

  @Override
  public String toString() {
    return "NumberEntry[number=" + number + ", webhookUrl=" + webhookUrl.orElse("") + ", webhookSecret="
        + (webhookSecret.isPresent() ? "(hidden)" : "") + ", agent=" + agent.orElse("") + ", updated=" + updated + "]";
  }
}
