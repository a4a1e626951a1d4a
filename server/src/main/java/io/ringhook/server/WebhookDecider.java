package io.ringhook.server;

import io.ringhook.server.admin.EffectiveNumber;
import io.ringhook.server.admin.NumberDirectory;
import io.ringhook.server.config.Secret;
import io.ringhook.server.config.WebhookSettings;
import io.ringhook.sip.CallDecider;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.Outcome;
import io.ringhook.webhook.AttemptListener;
import io.ringhook.webhook.WebhookClient;
import io.ringhook.webhook.WebhookRequest;
import io.ringhook.webhook.WebhookResult;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The call decision of the design: a number with an inbound webhook URL is connected only when its
 * webhook answers 2xx (carrying the returned variables); a number without one is connected at once
 * and no request is made. The number's settings are looked up for each call in the
 * {@link NumberDirectory}, so a change made through the admin API applies to the next call.
 * Cancelling the returned future cancels the webhook call, which aborts the request in flight and
 * any retry.
 */
final class WebhookDecider implements CallDecider {
  private final NumberDirectory numbers;
  private final WebhookClient client;
  private final CallRecorder recorder;
  private final BiConsumer<InboundCall, WebhookResult.Attempt> attempts;

  /**
   * @param recorder collects each call's attempts for its record
   * @param attempts also told of every attempt and its call (metrics, live calls); must not block
   */
  WebhookDecider(NumberDirectory numbers, WebhookClient client, CallRecorder recorder,
                 BiConsumer<InboundCall, WebhookResult.Attempt> attempts) {
    this.numbers = numbers;
    this.client = client;
    this.recorder = recorder;
    this.attempts = attempts;
  }

  @Override
  public CompletableFuture<CallDecision> decide(InboundCall call) {
    recorder.callStarted(call);
    Optional<EffectiveNumber> number = numbers.lookup(call.toNumber());
    if (number.isEmpty() || number.get().webhookUrl().isEmpty()) {
      return CompletableFuture.completedFuture(new CallDecision.Connect(Map.of(), "no webhook configured"));
    }
    EffectiveNumber n = number.get();
    WebhookSettings settings = n.webhook();
    WebhookRequest request = new WebhookRequest(call.callId(), call.fromNumber(), call.toNumber(),
        n.webhookUrl().get(), n.secret().map(Secret::value).orElse(null));
    AttemptListener forRecord = recorder.webhookStarted(call);
    CompletableFuture<WebhookResult> pending = client.call(request, settings.policy(), attempt -> {
      forRecord.attemptEnded(attempt);
      attempts.accept(call, attempt);
    });
    CompletableFuture<CallDecision> decision = pending.thenApply(result -> {
      recorder.webhookFinished(call);
      return toDecision(result, settings);
    });
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
    return CallDecision.refuse(settings.failureResponse(), result.summary(), Outcome.WEBHOOK_FAILED);
  }
}
