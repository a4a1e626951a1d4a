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
import io.ringhook.webhook.FailureReason;
import io.ringhook.webhook.WebhookClient;
import io.ringhook.webhook.WebhookRequest;
import io.ringhook.webhook.WebhookResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The call decision of the design: a number with an inbound webhook URL is connected only when its
 * webhook answers 2xx (carrying the returned variables); a number without one is connected at once
 * and no request is made. The number is looked up once per call, in the {@link NumberDirectory}
 * (so a change made through the admin API applies to the next call), and its agent travels in the
 * decision. A hang-up aborts the request in flight and any retry; the decision then completes as
 * {@link CallDecision.Abandoned} with every attempt, the aborted one included.
 */
final class WebhookDecider implements CallDecider {
  private final NumberDirectory numbers;
  private final WebhookClient client;
  private final String defaultAgent;
  private final BiConsumer<InboundCall, WebhookResult.Attempt> attempts;

  /**
   * @param defaultAgent the agent of a number that names none
   * @param attempts     also told of every attempt and its call (metrics, live calls); must not block
   */
  WebhookDecider(NumberDirectory numbers, WebhookClient client, String defaultAgent,
                 BiConsumer<InboundCall, WebhookResult.Attempt> attempts) {
    this.numbers = numbers;
    this.client = client;
    this.defaultAgent = defaultAgent;
    this.attempts = attempts;
  }

  @Override
  public CompletableFuture<CallDecision> decide(InboundCall call, CompletionStage<Void> hungUp) {
    Optional<EffectiveNumber> number = numbers.lookup(call.toNumber());
    Optional<String> agent = Optional.of(number.map(EffectiveNumber::agent).orElse(defaultAgent));
    if (number.isEmpty() || number.get().webhookUrl().isEmpty()) {
      return CompletableFuture.completedFuture(
          new CallDecision.Connect(Map.of(), "no webhook configured", agent, List.of()));
    }
    EffectiveNumber n = number.get();
    WebhookSettings settings = n.webhook();
    WebhookRequest request = new WebhookRequest(call.callId(), call.fromNumber(), call.toNumber(),
        n.webhookUrl().get(), n.secret().map(Secret::value).orElse(null), settings.h2c());
    CompletableFuture<CallDecision> decision = new CompletableFuture<>();
    // Written and read on the webhook call's event loop only.
    List<CallDecision.Attempt> tried = new ArrayList<>();
    CompletableFuture<WebhookResult> pending = client.call(request, settings.policy(), new AttemptListener() {
      @Override
      public void attemptEnded(WebhookResult.Attempt attempt) {
        tried.add(toAttempt(attempt));
        attempts.accept(call, attempt);
      }

      @Override
      public void finished() {
        if (hungUp.toCompletableFuture().isDone()) {
          decision.complete(new CallDecision.Abandoned(tried));
        }
      }
    });
    pending.whenComplete((result, ex) -> {
      if (result != null) {
        decision.complete(toDecision(result, settings, agent));
      } else if (!(ex instanceof CancellationException)) {
        decision.completeExceptionally(ex);
      }
    });
    hungUp.thenRun(() -> pending.cancel(true));
    return decision;
  }

  static CallDecision toDecision(WebhookResult result, WebhookSettings settings, Optional<String> agent) {
    List<CallDecision.Attempt> tried = result.attempts().stream().map(WebhookDecider::toAttempt).toList();
    if (result instanceof WebhookResult.Success success) {
      return new CallDecision.Connect(success.variables(), result.summary(), agent, tried);
    }
    return new CallDecision.Refuse(settings.failureResponse(), result.summary(), Outcome.WEBHOOK_FAILED, tried);
  }

  static CallDecision.Attempt toAttempt(WebhookResult.Attempt a) {
    return new CallDecision.Attempt(a.number(), a.start(), a.latency(), a.status(),
        a.failure().map(FailureReason::label), a.detail());
  }
}
