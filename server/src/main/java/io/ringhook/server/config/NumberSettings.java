package io.ringhook.server.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code numbers}: what happens to calls to one dialed number, like a phone number's
 * page in a dashboard.
 *
 * @param number            the dialed number in E.164, the key in {@code numbers}
 * @param inboundWebhookUrl the inbound call webhook; without one the call connects straight to the agent
 * @param webhookSecret     the key that signs webhook requests, when they are signed
 * @param agent             the agent for this number's calls; empty means {@code default_agent}
 * @param webhook           this number's effective webhook settings: its overrides over the
 *                          {@code webhook} section
 */
public record NumberSettings(String number, Optional<URI> inboundWebhookUrl, Optional<Secret> webhookSecret,
                             Optional<String> agent, WebhookSettings webhook) {
  public NumberSettings {
    Objects.requireNonNull(number, "number");
    Objects.requireNonNull(inboundWebhookUrl, "inboundWebhookUrl");
    Objects.requireNonNull(webhookSecret, "webhookSecret");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(webhook, "webhook");
  }
}
