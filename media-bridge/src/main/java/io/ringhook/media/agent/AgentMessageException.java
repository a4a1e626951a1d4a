package io.ringhook.media.agent;

/**
 * A WebSocket text message that is not a valid message of the agent protocol.
 *
 * <p>It says which kind of problem it is, so that a receiver can ignore events it does not know
 * (a newer peer) while counting malformed ones, and its message names the field at fault, e.g.
 * {@code media.payload is not base64}.
 */
public final class AgentMessageException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the message. */
  public enum Kind {
    /** Not JSON, not an object, or a required field is missing or of the wrong type. */
    MALFORMED,
    /** Well-formed, but its {@code event} is not one this direction of the protocol has. */
    UNKNOWN_EVENT
  }

  private final Kind kind;
  private final String event;

  AgentMessageException(Kind kind, String event, String message) {
    super(message);
    this.kind = kind;
    this.event = event;
  }

  /** What is wrong with the message. */
  public Kind kind() {
    return kind;
  }

  /** The message's {@code event}, or null when it has none (or is not JSON at all). */
  public String event() {
    return event;
  }
}
