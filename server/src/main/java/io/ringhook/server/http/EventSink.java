package io.ringhook.server.http;

/** Where an {@link EventStream} writes its events: one open {@code text/event-stream} response. */
public interface EventSink {

  /**
   * Queues one event ({@code event:} and {@code data:} lines). Callable from any thread; never
   * blocks. A client that does not read falls behind by at most the connection's write buffer
   * (64 KiB): beyond that it is disconnected (an {@code EventSource} reconnects and starts afresh),
   * and this returns false, as it does once the connection is gone.
   */
  boolean send(String event, String data);
}
