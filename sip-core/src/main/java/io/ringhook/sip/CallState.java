package io.ringhook.sip;

/** Where one inbound call stands, from the UAS side of its INVITE and dialog (RFC 3261 sections 13 and 15). */
enum CallState {
  /** 180 Ringing sent; the {@link CallDecider} is working. */
  RINGING,
  /** The decision said connect; the {@link MediaBridge} is opening the media. */
  CONNECTING,
  /** 200 OK sent; waiting for the ACK (RFC 3261 13.3.1.4). */
  ANSWERED,
  /** ACK received: the dialog is confirmed and media flows. */
  CONFIRMED,
  /** We sent BYE and wait for its transaction to end (RFC 3261 15.1.1). */
  ENDING,
  /** Nothing more happens; late events are ignored. */
  TERMINATED;

  /** Whether a final response to the initial INVITE has not been sent yet. */
  boolean early() {
    return this == RINGING || this == CONNECTING;
  }
}
