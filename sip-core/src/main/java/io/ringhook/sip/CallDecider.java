package io.ringhook.sip;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides, asynchronously, whether a ringing inbound call is connected.
 *
 * <p>The SIP layer calls {@link #decide} once per call, right after it has sent 180 Ringing, from a
 * JAIN-SIP thread: implementations must return at once and complete the future later on a thread
 * of their own (an HTTP client's event loop, a timer). When the caller hangs up first the SIP layer
 * completes {@code hungUp}: the implementation must then stop its work (abort the HTTP request in
 * flight, make no further attempt) and complete the future with {@link CallDecision.Abandoned},
 * carrying what it tried, for the call's record; the record waits up to a second for it. A future
 * completed exceptionally is treated as a refusal with 500.
 */
@FunctionalInterface
public interface CallDecider {
  CompletableFuture<CallDecision> decide(InboundCall call, CompletionStage<Void> hungUp);

  /** A decider that connects every call at once with no variables. */
  static CallDecider connectAll() {
    return (call, hungUp) -> CompletableFuture.completedFuture(CallDecision.connect(java.util.Map.of()));
  }
}
