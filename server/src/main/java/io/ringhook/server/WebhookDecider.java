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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The call decision of the design: a number with an inbound webhook URL is connected when its
 * webhook answers 2xx (carrying the returned variables, metadata and perhaps another agent), declined
 * when the answer says {@code decline}, and, when every attempt failed, rejected or connected anyway
 * as the number's {@code on_webhook_failure} says; a number without one is connected at once and no
 * request is made. The number is looked up once per call, in the {@link NumberDirectory}
 * (so a change made through the admin API applies to the next call), and its agent travels in the
 * decision. A hang-up aborts the request in flight and any retry; the decision then completes as
 * {@link CallDecision.Abandoned} with every attempt, the aborted one included.
 */
final class WebhookDecider implements CallDecider {
  private final NumberDirectory numbers;
  private final WebhookClient client;
  private final String defaultAgent;
  private final BiConsumer<InboundCall, WebhookResult.Attempt> attempts;
  private final Optional<CircuitBreakers> breakers;

  /**
   * @param defaultAgent the agent of a number that names none
   * @param attempts     also told of every attempt and its call (metrics, live calls); must not block
   * @param breakers     the per-origin circuit breakers, when configured
   */
  WebhookDecider(NumberDirectory numbers, WebhookClient client, String defaultAgent,
                 BiConsumer<InboundCall, WebhookResult.Attempt> attempts, Optional<CircuitBreakers> breakers) {
    this.numbers = numbers;
    this.client = client;
    this.defaultAgent = defaultAgent;
    this.attempts = attempts;
    this.breakers = breakers;
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
    String origin = CircuitBreakers.origin(n.webhookUrl().get());
    CircuitBreakers.Permit permit = breakers.map(b -> b.acquire(origin)).orElse(CircuitBreakers.Permit.PASS);
    if (permit == CircuitBreakers.Permit.SKIP) {
      return CompletableFuture.completedFuture(failed("webhook not asked: the circuit breaker of " + origin
          + " is open", settings, agent, List.of()));
    }
    WebhookRequest request = new WebhookRequest(call.callId(), call.fromNumber(), call.toNumber(),
        n.webhookUrl().get(), n.secret().map(Secret::value).orElse(null), settings.h2c(),
        numbers.agentNames(), extraFields(call, settings));
    CompletableFuture<CallDecision> decision = new CompletableFuture<>();
    // Written and read on the webhook call's event loop only.
    List<CallDecision.Attempt> tried = new ArrayList<>();
    CompletableFuture<WebhookResult> pending = client.call(request, settings.policy(), new AttemptListener() {
      @Override
      public void attemptEnded(WebhookResult.Attempt attempt) {
        tried.add(toAttempt(attempt));
        attempts.accept(call, attempt);
        if (attempt.failure().orElse(null) != FailureReason.CANCELLED) {
          breakers.ifPresent(b -> b.attemptEnded(origin, attempt.succeeded()));
        }
      }

      @Override
      public void finished() {
        if (permit == CircuitBreakers.Permit.PROBE) {
          breakers.get().probeEnded(origin, tried.stream().anyMatch(a -> a.failure().isEmpty()));
        }
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

  /**
   * The one mapping from a webhook's result to a decision: decline, connect (to the answer's agent
   * or the number's), or, when it failed, the number's failure policy.
   */
  static CallDecision toDecision(WebhookResult result, WebhookSettings settings, Optional<String> agent) {
    List<CallDecision.Attempt> tried = result.attempts().stream().map(WebhookDecider::toAttempt).toList();
    if (result instanceof WebhookResult.Success success) {
      WebhookResult.Answer answer = success.answer();
      if (answer.decline().isPresent()) {
        WebhookResult.Decline d = answer.decline().get();
        return new CallDecision.Decline(d.status(), d.reason(), tried);
      }
      return new CallDecision.Connect(answer.variables(), result.summary(), answer.agent().or(() -> agent), tried,
          answer.metadata(), Optional.empty());
    }
    return failed(result.summary(), settings, agent, tried);
  }

  /** Every attempt failed (or none was made): reject, or connect without variables, as the number says. */
  static CallDecision failed(String why, WebhookSettings settings, Optional<String> agent,
                             List<CallDecision.Attempt> tried) {
    if (settings.onFailure() == WebhookSettings.OnFailure.CONNECT) {
      Optional<String> to = settings.fallbackAgent().or(() -> agent);
      return new CallDecision.Connect(Map.of(), why + "; connected to " + to.orElse("the default agent")
          + " (on_webhook_failure: connect)", to, tried, Optional.empty(), Optional.of(why));
    }
    return new CallDecision.Refuse(settings.failureResponse(), why, Outcome.WEBHOOK_FAILED, tried);
  }

  /** The body fields the number asked for beyond the documented three. */
  static Map<String, Object> extraFields(InboundCall call, WebhookSettings settings) {
    Map<String, Object> extra = new LinkedHashMap<>();
    for (WebhookSettings.Include inc : WebhookSettings.Include.values()) {
      if (settings.include().contains(inc)) {
        extra.put(inc.value(), switch (inc) {
          case CALL_ID -> call.callId();
          case TRUNK -> call.trunk();
          case SIP_HEADERS -> call.sipHeaders();
        });
      }
    }
    return extra;
  }

  static CallDecision.Attempt toAttempt(WebhookResult.Attempt a) {
    return new CallDecision.Attempt(a.number(), a.start(), a.latency(), a.status(),
        a.failure().map(FailureReason::label), a.detail());
  }
}
