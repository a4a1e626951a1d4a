package io.ringhook.server.records;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of call records, newest first.
 *
 * @param calls      the records, each with its webhook attempts
 * @param nextCursor an opaque cursor for the next (older) page; empty on the last page
 */
public record CallPage(List<CallRecord> calls, Optional<String> nextCursor) {
  public CallPage {
    calls = List.copyOf(calls);
    Objects.requireNonNull(nextCursor, "nextCursor");
  }
}
