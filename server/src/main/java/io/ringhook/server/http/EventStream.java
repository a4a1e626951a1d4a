package io.ringhook.server.http;

/**
 * The body of a reply that stays open: Server-Sent Events ({@code text/event-stream}) pushed to the
 * client until either side closes. No thread waits on it: the source sends through the
 * {@link EventSink} from whatever thread has news.
 */
@FunctionalInterface
public interface EventStream {

  /**
   * Starts the stream once the response head has been written; runs on the connection's event loop
   * and must not block.
   *
   * @return closed when the connection closes (the client went away, or the sink gave up on it)
   */
  AutoCloseable open(EventSink sink);
}
