package io.ringhook.webhook;

import java.util.Locale;

/**
 * Why one webhook attempt failed; each reason names one class of trouble, so logs, call records
 * and metrics can count them.
 */
public enum FailureReason {
  /** No complete response within the attempt's deadline (connect, TLS, request or body). */
  TIMEOUT,
  /** The TCP connection could not be established: refused, or no route to the host. */
  REFUSED,
  /** The host name could not be resolved. */
  DNS,
  /** The TLS handshake failed: untrusted certificate, host name mismatch, protocol trouble. */
  TLS,
  /** The response status was not 2xx; 3xx included, since redirects are not followed. */
  STATUS,
  /** A 2xx body that is neither empty nor JSON. */
  NOT_JSON,
  /** A 2xx body that is JSON but not an object. */
  NOT_OBJECT,
  /** A 2xx body whose {@code dynamic_variables} is present but not an object. */
  VARIABLES_NOT_OBJECT,
  /**
   * A 2xx body whose {@code agent}, {@code decline} or {@code metadata} is malformed (wrong type,
   * a decline status outside 403/404/480/486/603, a reason too long).
   */
  BAD_ANSWER,
  /** A 2xx body whose {@code agent} names no configured agent. */
  UNKNOWN_AGENT,
  /** The response (body, or its headers) exceeded {@code max_response_bytes} or header limits. */
  TOO_LARGE,
  /** The response was not valid HTTP/1.1. */
  PROTOCOL,
  /** The connection failed or was closed before the response was complete. */
  IO,
  /**
   * The call was cancelled (the caller hung up) or the client closed while the attempt was in
   * flight; its connection was closed. Only an {@link AttemptListener} sees it: a cancelled call
   * has no {@link WebhookResult}.
   */
  CANCELLED;

  /** The lower-case name used in logs, call records and metric labels, e.g. {@code not_json}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
