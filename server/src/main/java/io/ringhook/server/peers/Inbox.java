package io.ringhook.server.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A thread-safe history of things a peer received (events, messages, output lines) that tests
 * wait on.
 *
 * <p>Unlike a queue, nothing is lost by waiting for the "wrong" item first: {@link #take} returns
 * the oldest not-yet-taken item that matches and marks only that one taken, so a test may wait
 * for CALL_CLOSED and afterwards still find CALL_ESTABLISHED. {@link #find} matches without
 * taking. Producers (JAIN-SIP, reader threads) only append and never block.
 *
 * @param <T> what is collected
 */
public final class Inbox<T> {
  private final List<T> items = new ArrayList<>();
  private final List<Boolean> taken = new ArrayList<>();

  /** Appends {@code item} and wakes waiters. */
  public synchronized void add(T item) {
    items.add(item);
    taken.add(false);
    notifyAll();
  }

  /** Returns a copy of everything received so far, taken or not, oldest first. */
  public synchronized List<T> all() {
    return List.copyOf(items);
  }

  /** Returns the number of items received so far. */
  public synchronized int size() {
    return items.size();
  }

  /**
   * Waits up to {@code timeout} for an untaken item matching {@code match}, marks it taken and
   * returns it; empty on timeout.
   */
  public Optional<T> poll(Predicate<? super T> match, Duration timeout) throws InterruptedException {
    return await(match, timeout, true);
  }

  /**
   * Like {@link #poll} but fails the test on timeout, with {@code what} and everything received
   * so far in the message.
   */
  public T take(Predicate<? super T> match, Duration timeout, Supplier<String> what) {
    return orFail(match, timeout, true, what);
  }

  /** Waits for any item (taken or not) matching {@code match} and returns it without taking it. */
  public T find(Predicate<? super T> match, Duration timeout, Supplier<String> what) {
    return orFail(match, timeout, false, what);
  }

  /** Returns the first item (taken or not) matching {@code match}, waiting up to {@code timeout}. */
  public Optional<T> findAny(Predicate<? super T> match, Duration timeout) throws InterruptedException {
    return await(match, timeout, false);
  }

  private T orFail(Predicate<? super T> match, Duration timeout, boolean take, Supplier<String> what) {
    try {
      return await(match, timeout, take).orElseThrow(() -> new AssertionError(
          "timed out after " + timeout.toMillis() + " ms waiting for " + what.get()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what.get(), e);
    }
  }

  private synchronized Optional<T> await(Predicate<? super T> match, Duration timeout, boolean take)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int from = 0;
    while (true) {
      for (int i = take ? 0 : from; i < items.size(); i++) {
        if ((!take || !taken.get(i)) && match.test(items.get(i))) {
          if (take) {
            taken.set(i, true);
          }
          return Optional.of(items.get(i));
        }
      }
      from = items.size();
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      wait(Math.max(1, left / 1_000_000), 0);
    }
  }
}
