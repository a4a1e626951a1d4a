package io.ringhook.webhook;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attempts waiting for a connection to one origin, one queue per request target, served round
 * robin: after one target's attempt is taken, that target goes to the back of the line, so a
 * target with a thousand waiting attempts delays another's next one by one turn, not a thousand.
 *
 * <p>Not thread-safe: its pool uses it on its event loop only.
 *
 * @param <T> what waits
 */
final class WaitingLine<T> {

  private final Map<String, ArrayDeque<T>> byTarget = new LinkedHashMap<>();
  private int size;

  int size() {
    return size;
  }

  /** Adds {@code t} at the end of its target's queue. */
  void add(String target, T t) {
    byTarget.computeIfAbsent(target, k -> new ArrayDeque<>()).addLast(t);
    size++;
  }

  /** Puts {@code t} back at the head of its target's queue. */
  void addFirst(String target, T t) {
    byTarget.computeIfAbsent(target, k -> new ArrayDeque<>()).addFirst(t);
    size++;
  }

  /** Removes {@code t}, wherever it waits; false when it does not. */
  boolean remove(String target, T t) {
    ArrayDeque<T> queue = byTarget.get(target);
    if (queue == null || !queue.remove(t)) {
      return false;
    }
    size--;
    if (queue.isEmpty()) {
      byTarget.remove(target);
    }
    return true;
  }

  /** Takes the next one in turn, its target then going to the back; null when none waits. */
  T next() {
    if (size == 0) {
      return null;
    }
    Iterator<Map.Entry<String, ArrayDeque<T>>> it = byTarget.entrySet().iterator();
    Map.Entry<String, ArrayDeque<T>> first = it.next();
    ArrayDeque<T> queue = first.getValue();
    T t = queue.pollFirst();
    size--;
    it.remove();
    if (!queue.isEmpty()) {
      byTarget.put(first.getKey(), queue);
    }
    return t;
  }
}
