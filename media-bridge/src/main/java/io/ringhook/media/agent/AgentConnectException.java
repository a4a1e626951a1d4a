package io.ringhook.media.agent;

import java.util.Locale;

/**
 * A failure to open an agent stream: the WebSocket could not be set up, or not within the
 * connect timeout. It classifies itself, so one table can map it to a SIP response and a metric.
 */
final class AgentConnectException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the stream could not be opened. */
  public enum Reason {
    /** The agent's host name did not resolve. */
    UNRESOLVED,
    /** Nothing listens at the agent's address (TCP connection refused or unreachable). */
    REFUSED,
    /** TCP connect, TLS, WebSocket handshake and {@code start} took longer than the timeout. */
    TIMEOUT,
    /** The TLS handshake failed: certificate not trusted, host name mismatch, no TLS there. */
    TLS,
    /** The agent answered the upgrade request with an HTTP status other than 101. */
    HTTP_STATUS,
    /** The agent answered 101 but the handshake was invalid (e.g. a wrong accept key). */
    HANDSHAKE,
    /** The agent closed the connection before the stream had started. */
    CLOSED,
    /** Any other I/O error, or the stream was abandoned (stopped or cancelled) while opening. */
    IO
  }

  private final Reason reason;
  private final int httpStatus;

  AgentConnectException(Reason reason, int httpStatus, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.httpStatus = httpStatus;
  }

  AgentConnectException(Reason reason, String message, Throwable cause) {
    this(reason, 0, message, cause);
  }

  /** Why the stream could not be opened. */
  public Reason reason() {
    return reason;
  }

  /** The HTTP status the agent answered the upgrade with ({@link Reason#HTTP_STATUS}), else 0. */
  public int httpStatus() {
    return httpStatus;
  }

  /** A short metric-friendly name: {@code agent_refused}, {@code agent_timeout}, ... */
  public String outcome() {
    return "agent_" + reason.name().toLowerCase(Locale.ROOT);
  }
}
