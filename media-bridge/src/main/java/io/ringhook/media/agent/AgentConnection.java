package io.ringhook.media.agent;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One call's stream to an AI agent: a WebSocket client speaking the Twilio Media Streams messages.
 *
 * <p>{@link #connect} opens it: TCP, TLS for {@code wss://} (JDK trust store, SNI, host name
 * verified), the WebSocket upgrade, then {@code connected} and {@code start}. Its future completes
 * only once {@code start} has been written to the socket, so a call answered on that completion
 * never plays dead air to an agent that is not there. Afterwards ringhook sends the caller's audio,
 * DTMF and mark echoes with the {@code send} methods, and the agent's audio, marks and clears
 * arrive at the {@link AgentListener}.
 *
 * <p>All methods are thread-safe and never block: the work runs on the connection's event loop, in
 * the order the calls were made. Sends after the connection has ended are ignored. When the agent
 * reads too slowly, caller audio is dropped (and counted) rather than buffered without bound;
 * control messages are always sent. Messages from the agent may be fragmented and up to
 * {@value #MAX_MESSAGE_BYTES} bytes; a larger one ends the connection (close code 1009). A quiet
 * agent is pinged, and one that answers nothing for two ping periods is treated as gone.
 */
interface AgentConnection {
  /** The largest message (after reassembling fragments) accepted from an agent: 1 MiB. */
  int MAX_MESSAGE_BYTES = 1 << 20;

  /**
   * Opens a stream to the agent at {@code url}, with the JDK's trusted CAs for {@code wss://}.
   *
   * @param url {@code ws://} or {@code wss://}, with a host; its path and query are sent as is
   * @param connectTimeout the limit for everything up to and including sending {@code start}
   * @param start the call's ids, numbers and variables
   * @param listener receives the agent's messages; see {@link AgentListener}
   * @param group the event loops to run on (NIO transport)
   * @return completes with the connection once {@code connected} and {@code start} are sent, or
   *     fails with an {@link AgentConnectException} (refused, timeout, TLS, HTTP status, ...),
   *     at the latest after {@code connectTimeout}. Cancelling it abandons the attempt.
   * @throws IllegalArgumentException for a URL that is not ws/wss with a host, or a timeout that is
   *     not positive
   */
  static CompletableFuture<AgentConnection> connect(URI url, Duration connectTimeout,
      AgentStart start, AgentListener listener, EventLoopGroup group) {
    return connect(url, connectTimeout, start, listener, group, null);
  }

  /**
   * Opens a stream as {@link #connect(URI, Duration, AgentStart, AgentListener, EventLoopGroup)}
   * does, with the given client TLS context for {@code wss://} (null: the JDK's trusted CAs).
   * Host name verification is switched on whatever the context says.
   */
  static CompletableFuture<AgentConnection> connect(URI url, Duration connectTimeout,
      AgentStart start, AgentListener listener, EventLoopGroup group, SslContext tls) {
    return AgentConnector.connect(url, connectTimeout, start, listener, group, tls,
        NettyAgentConnection.Timing.DEFAULT);
  }

  /** What the stream was started with. */
  AgentStart start();

  /**
   * Sends 20 ms (any length, in fact) of the caller's μ-law audio as a {@code media} message.
   *
   * @param chunk the chunk's number, 1 for the first, one more for each (gaps show losses)
   * @param timestampMillis milliseconds since the stream started
   */
  void sendMedia(byte[] mulaw, long chunk, long timestampMillis);

  /**
   * Sends a {@code dtmf} message for one key press.
   *
   * @param digit {@code 0}-{@code 9}, {@code *}, {@code #} or {@code A}-{@code D}
   */
  void sendDtmf(char digit);

  /** Echoes a mark the agent sent: its audio has been played, or was dropped by a clear. */
  void sendMark(String name);

  /**
   * Ends the stream because the call ended: sends {@code stop}, then closes the WebSocket with a
   * normal close (1000). {@link AgentListener#onClosed} is not called. Idempotent.
   */
  void stop();

  /**
   * Closes the WebSocket (1000) without {@code stop}; for clean-up paths. Idempotent.
   * {@link AgentListener#onClosed} is not called.
   */
  void close();

  /** Whether the connection is up and neither side has started to close it. */
  boolean isOpen();
}
