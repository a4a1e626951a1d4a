package io.ringhook.webhook;

/**
 * A listener told of each webhook attempt of one call as it ends, so a caller can record every
 * attempt, including the one a hang-up aborted (which no {@link WebhookResult} ever carries).
 *
 * <p>Called once per attempt, in attempt order, on a Netty event-loop thread: it must not block.
 * For the last attempt it is called before the call's future completes. An exception it throws is
 * logged and otherwise ignored.
 */
@FunctionalInterface
public interface AttemptListener {

  /** A listener that ignores every attempt. */
  AttemptListener NONE = attempt -> {};

  /**
   * One attempt ended: succeeded, failed, or was aborted by the call's cancellation (failure
   * {@link FailureReason#CANCELLED}).
   */
  void attemptEnded(WebhookResult.Attempt attempt);

  /**
   * No more attempts will come: the call's webhook succeeded, failed for good, was cancelled (after
   * the aborted attempt was reported) or the client closed. Called once, on the event loop.
   */
  default void finished() {
  }
}
