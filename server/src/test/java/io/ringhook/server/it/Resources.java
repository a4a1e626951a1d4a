package io.ringhook.server.it;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one integration test opened (servers, peers, sockets), closed in reverse order from an
 * {@code @AfterEach} whether the test passed or not; one failing close does not skip the others.
 */
final class Resources implements AutoCloseable {
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  /** Registers {@code resource} for closing and returns it. */
  synchronized <T extends AutoCloseable> T add(T resource) {
    open.push(resource);
    return resource;
  }

  @Override
  public synchronized void close() {
    RuntimeException first = null;
    while (!open.isEmpty()) {
      AutoCloseable r = open.pop();
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("closing " + r + " failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
