package io.ringhook.server;

import io.ringhook.server.config.NumberSettings;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.config.Secret;
import io.ringhook.server.config.WebhookSettings;
import io.ringhook.sip.CallDecider;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.webhook.WebhookClient;
import io.ringhook.webhook.WebhookPolicy;
import io.ringhook.webhook.WebhookRequest;
import io.ringhook.webhook.WebhookResult;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The call decision of the design: a number with an inbound webhook URL is connected only when its
 * webhook answers 2xx (carrying the returned variables); a number without one is connected at once
 * and no request is made. Cancelling the returned future cancels the webhook call, which aborts the
 * request in flight and any retry.
 */
final class WebhookDecider implements CallDecider {
  private final RingConfig config;
  private final WebhookClient client;

  WebhookDecider(RingConfig config, WebhookClient client) {
    this.config = config;
    this.client = client;
  }

  @Override
  public CompletableFuture<CallDecision> decide(InboundCall call) {
    Optional<NumberSettings> number = config.number(call.toNumber());
    if (number.isEmpty() || number.get().inboundWebhookUrl().isEmpty()) {
      return CompletableFuture.completedFuture(new CallDecision.Connect(Map.of(), "no webhook configured"));
    }
    NumberSettings n = number.get();
    WebhookSettings settings = n.webhook();
    WebhookRequest request = new WebhookRequest(call.callId(), call.fromNumber(), call.toNumber(),
        n.inboundWebhookUrl().get(), n.webhookSecret().map(Secret::value).orElse(null));
    WebhookPolicy policy = new WebhookPolicy(settings.timeout(), settings.retries(), settings.backoff(),
        settings.maxResponseBytes());
    CompletableFuture<WebhookResult> pending = client.call(request, policy);
    CompletableFuture<CallDecision> decision = pending.thenApply(result -> toDecision(result, settings));
    // Cancelling the decision must reach the HTTP request: thenApply's future does not propagate it.
    decision.whenComplete((d, ex) -> {
      if (decision.isCancelled()) {
        pending.cancel(true);
      }
    });
    return decision;
  }

  static CallDecision toDecision(WebhookResult result, WebhookSettings settings) {
    if (result instanceof WebhookResult.Success success) {
      return new CallDecision.Connect(success.variables(), result.summary());
    }
    return CallDecision.refuse(settings.failureResponse(), result.summary(), "webhook_failed");
  }
}
