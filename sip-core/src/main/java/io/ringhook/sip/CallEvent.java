package io.ringhook.sip;

/**
 * Something that happened to a call. JAIN-SIP threads, decider and media completions and timers
 * turn what they saw into one of these and post it to the call, which handles them one at a time.
 */
sealed interface CallEvent {

  /** Which event this is, for exhaustive switches (Java 17 has no pattern switch). */
  Kind kind();

  /** One constant per event type. */
  enum Kind {
    DECIDED, DECISION_FAILED, MEDIA_READY, MEDIA_FAILED, CANCEL, ACK, BYE, REINVITE, MEDIA_ENDED, ACK_TIMEOUT,
    BYE_COMPLETED, SHUTDOWN, ABANDON
  }

  /** The decider completed. */
  record Decided(CallDecision decision) implements CallEvent {
    public Kind kind() {
      return Kind.DECIDED;
    }
  }

  /** The decider failed (threw or completed exceptionally). */
  record DecisionFailed(String reason) implements CallEvent {
    public Kind kind() {
      return Kind.DECISION_FAILED;
    }
  }

  /** The media bridge has a session ready: the call may be answered. */
  record MediaReady() implements CallEvent {
    public Kind kind() {
      return Kind.MEDIA_READY;
    }
  }

  /** The media bridge could not set up the media; the call is refused with the outcome's status. */
  record MediaFailed(Outcome outcome, String reason) implements CallEvent {
    public Kind kind() {
      return Kind.MEDIA_FAILED;
    }
  }

  /** The caller sent CANCEL for the INVITE. */
  record CancelReceived() implements CallEvent {
    public Kind kind() {
      return Kind.CANCEL;
    }
  }

  /**
   * The ACK for our 2xx arrived.
   *
   * @param answer what the ACK did for the SDP exchange
   */
  record AckReceived(AckAnswer answer) implements CallEvent {
    public Kind kind() {
      return Kind.ACK;
    }
  }

  /** The caller sent BYE. */
  record ByeReceived() implements CallEvent {
    public Kind kind() {
      return Kind.BYE;
    }
  }

  /** The caller sent a re-INVITE (hold, resume, new address). */
  record ReInviteReceived() implements CallEvent {
    public Kind kind() {
      return Kind.REINVITE;
    }
  }

  /** The media side ended the call (RTP timeout, agent hang-up). */
  record MediaEnded(MediaEnd end) implements CallEvent {
    public Kind kind() {
      return Kind.MEDIA_ENDED;
    }
  }

  /** No ACK came for our 2xx within 64*T1 (RFC 3261 13.3.1.4). */
  record AckTimeout() implements CallEvent {
    public Kind kind() {
      return Kind.ACK_TIMEOUT;
    }
  }

  /** Our BYE's transaction ended, with a response or a timeout. */
  record ByeCompleted() implements CallEvent {
    public Kind kind() {
      return Kind.BYE_COMPLETED;
    }
  }

  /** The server is stopping. */
  record Shutdown() implements CallEvent {
    public Kind kind() {
      return Kind.SHUTDOWN;
    }
  }

  /** The server is stopping and the call did not end within the grace (e.g. our BYE got no answer). */
  record Abandon() implements CallEvent {
    public Kind kind() {
      return Kind.ABANDON;
    }
  }

  /** What the ACK of our 2xx contributed to the offer/answer exchange (RFC 3264 section 4). */
  enum AckAnswer {
    /** The INVITE carried the offer and our 200 the answer: nothing was expected in the ACK. */
    NOT_NEEDED,
    /** Our 200 carried the offer and the ACK a usable answer. */
    ACCEPTED,
    /** Our 200 carried the offer and the ACK had no answer, or one we cannot use. */
    UNUSABLE
  }
}
