package io.ringhook.sip;

/** Something a call must do as the result of a transition; {@link Call} carries each out with JAIN-SIP. */
sealed interface CallAction {

  /** Cancel the pending decision (abort the webhook request in flight). */
  record CancelDecision() implements CallAction {}

  /** Ask the media bridge for a session, with the decision's variables. */
  record OpenMedia() implements CallAction {}

  /** Cancel a pending media open; close the session should it arrive. */
  record CancelMedia() implements CallAction {}

  /** Send 200 OK with our SDP (answer, or offer when the INVITE had none); start media if the SDP is complete. */
  record Answer() implements CallAction {}

  /**
   * Send a final failure response to the INVITE; {@code callerReason}, when present, is sent to the
   * caller as the text of a {@code Reason} header (RFC 3326), e.g. a customer's decline.
   */
  record Refuse(int status, String reason, java.util.Optional<String> callerReason) implements CallAction {
    Refuse(int status, String reason) {
      this(status, reason, java.util.Optional.empty());
    }
  }

  /** Start waiting for the ACK of our 2xx: 64*T1, then {@link CallEvent.AckTimeout} (RFC 3261 13.3.1.4). */
  record StartAckTimer() implements CallAction {}

  /** The ACK came: stop waiting for it. */
  record StopAckTimer() implements CallAction {}

  /** Answer the caller's CANCEL with 200 (RFC 3261 9.2). */
  record AcceptCancel() implements CallAction {}

  /** Start the media with the SDP the ACK completed. */
  record StartMedia() implements CallAction {}

  /** Answer the caller's BYE with 200 (RFC 3261 15.1.2). */
  record AcceptBye() implements CallAction {}

  /** Send BYE to the caller (RFC 3261 15.1.1). */
  record SendBye(String reason) implements CallAction {}

  /** Answer a re-INVITE with 200 and our SDP, updating the media (RFC 3261 14.2). */
  record AcceptReInvite() implements CallAction {}

  /** Refuse a re-INVITE, e.g. 500 with Retry-After while the first INVITE awaits its ACK (RFC 3261 14.2). */
  record RejectReInvite(int status) implements CallAction {}

  /** Close the media session, if any. */
  record CloseMedia(String reason) implements CallAction {}

  /** The call is cut off at shutdown: its outcome's detail says the BYE went unanswered. */
  record NoteAbandoned() implements CallAction {}

  /** The call's outcome is known: record it (first one wins). */
  record SetOutcome(Outcome outcome, String detail) implements CallAction {}
}
