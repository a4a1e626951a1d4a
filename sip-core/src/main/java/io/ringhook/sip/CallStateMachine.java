package io.ringhook.sip;

import io.ringhook.sip.CallAction.AcceptBye;
import io.ringhook.sip.CallAction.AcceptCancel;
import io.ringhook.sip.CallAction.AcceptReInvite;
import io.ringhook.sip.CallAction.Answer;
import io.ringhook.sip.CallAction.CancelDecision;
import io.ringhook.sip.CallAction.CancelMedia;
import io.ringhook.sip.CallAction.CloseMedia;
import io.ringhook.sip.CallAction.NoteAbandoned;
import io.ringhook.sip.CallAction.OpenMedia;
import io.ringhook.sip.CallAction.Refuse;
import io.ringhook.sip.CallAction.RejectReInvite;
import io.ringhook.sip.CallAction.SendBye;
import io.ringhook.sip.CallAction.SetOutcome;
import io.ringhook.sip.CallAction.StartAckTimer;
import io.ringhook.sip.CallAction.StartMedia;
import io.ringhook.sip.CallAction.StopAckTimer;
import io.ringhook.sip.CallEvent.AckReceived;
import io.ringhook.sip.CallEvent.Decided;
import io.ringhook.sip.CallEvent.DecisionFailed;
import io.ringhook.sip.CallEvent.MediaEnded;
import io.ringhook.sip.CallEvent.MediaFailed;
import java.util.List;

/**
 * The call state machine: a pure function from (state, event) to the next state and the actions
 * to take. It knows no JAIN-SIP and no threads, so every state and event pair is unit-tested.
 *
 * <p>Requests that need a response in every state (CANCEL, BYE, re-INVITE) always get one here:
 * a late CANCEL still gets 200 (RFC 3261 9.2), a BYE after our own BYE still gets 200 (15.1.2).
 * Events that cannot matter in a state (a decision arriving after a CANCEL) change nothing.
 */
final class CallStateMachine {

  private CallStateMachine() {}

  /** The outcome of one transition. */
  record Transition(CallState next, List<CallAction> actions) {
    Transition {
      actions = List.copyOf(actions);
    }

    static Transition to(CallState s, CallAction... actions) {
      return new Transition(s, List.of(actions));
    }
  }

  /** The final response for a refusal with {@code outcome}: the outcome's own status. */
  private static Refuse refuse(Outcome outcome, String reason) {
    return new Refuse(outcome.status(), reason);
  }

  static Transition next(CallState state, CallEvent event) {
    return switch (state) {
      case RINGING -> ringing(event);
      case CONNECTING -> connecting(event);
      case ANSWERED -> answered(event);
      case CONFIRMED -> confirmed(event);
      case ENDING -> ending(event);
      case TERMINATED -> terminated(event);
    };
  }

  private static Transition ringing(CallEvent event) {
    final CallState s = CallState.RINGING;
    return switch (event.kind()) {
      case DECIDED -> {
        CallDecision decision = ((Decided) event).decision();
        if (decision instanceof CallDecision.Decline decline) {
          // The customer's own answer: their status, their words in a Reason header (RFC 3326).
          yield Transition.to(CallState.TERMINATED,
              new Refuse(decline.status(), decline.reason(),
                  java.util.Optional.of(decline.reason()).filter(r -> !r.isBlank())),
              new SetOutcome(Outcome.DECLINED, decline.reason()));
        }
        if (decision instanceof CallDecision.Refuse refuse) {
          yield Transition.to(CallState.TERMINATED, new Refuse(refuse.status(), refuse.reason()),
              new SetOutcome(refuse.outcome(), refuse.reason()));
        }
        yield Transition.to(CallState.CONNECTING, new OpenMedia());
      }
      case DECISION_FAILED -> {
        String reason = ((DecisionFailed) event).reason();
        yield Transition.to(CallState.TERMINATED, refuse(Outcome.DECISION_ERROR, reason),
            new SetOutcome(Outcome.DECISION_ERROR, reason));
      }
      // 9.2: 200 to the CANCEL, then 487 to the INVITE; the decision is abandoned.
      case CANCEL -> Transition.to(CallState.TERMINATED, new AcceptCancel(), new CancelDecision(),
          refuse(Outcome.CANCELLED, "request terminated"),
          new SetOutcome(Outcome.CANCELLED, "caller cancelled while ringing"));
      // A caller must not BYE an early dialog (15); a broken one that does is giving up, as with CANCEL.
      case BYE -> Transition.to(CallState.TERMINATED, new AcceptBye(), new CancelDecision(),
          refuse(Outcome.CANCELLED, "request terminated"),
          new SetOutcome(Outcome.CANCELLED, "caller sent BYE while ringing"));
      case SHUTDOWN -> Transition.to(CallState.TERMINATED, new CancelDecision(),
          refuse(Outcome.SHUTDOWN, "server shutting down"),
          new SetOutcome(Outcome.SHUTDOWN, "server stopped while ringing"));
      // 14.2: a second INVITE while the first awaits its final response gets 500 with Retry-After.
      case REINVITE -> Transition.to(s, new RejectReInvite(500));
      case MEDIA_READY -> Transition.to(s, new CancelMedia());
      // The server stops and cannot wait longer: the call ends as it stands (no further SIP).
      case ABANDON -> Transition.to(CallState.TERMINATED, new NoteAbandoned());
      case MEDIA_FAILED, ACK, MEDIA_ENDED, ACK_TIMEOUT, BYE_COMPLETED -> Transition.to(s);
    };
  }

  private static Transition connecting(CallEvent event) {
    final CallState s = CallState.CONNECTING;
    return switch (event.kind()) {
      case MEDIA_READY -> Transition.to(CallState.ANSWERED, new Answer(), new StartAckTimer());
      case MEDIA_FAILED -> {
        MediaFailed f = (MediaFailed) event;
        yield Transition.to(CallState.TERMINATED, refuse(f.outcome(), f.reason()),
            new SetOutcome(f.outcome(), f.reason()));
      }
      case CANCEL -> Transition.to(CallState.TERMINATED, new AcceptCancel(), new CancelMedia(),
          refuse(Outcome.CANCELLED, "request terminated"),
          new SetOutcome(Outcome.CANCELLED, "caller cancelled while connecting"));
      case BYE -> Transition.to(CallState.TERMINATED, new AcceptBye(), new CancelMedia(),
          refuse(Outcome.CANCELLED, "request terminated"),
          new SetOutcome(Outcome.CANCELLED, "caller sent BYE while connecting"));
      case SHUTDOWN -> Transition.to(CallState.TERMINATED, new CancelMedia(),
          refuse(Outcome.SHUTDOWN, "server shutting down"),
          new SetOutcome(Outcome.SHUTDOWN, "server stopped while connecting"));
      case REINVITE -> Transition.to(s, new RejectReInvite(500));
      case ABANDON -> Transition.to(CallState.TERMINATED, new NoteAbandoned());
      case DECIDED, DECISION_FAILED, ACK, MEDIA_ENDED, ACK_TIMEOUT, BYE_COMPLETED -> Transition.to(s);
    };
  }

  private static Transition answered(CallEvent event) {
    final CallState s = CallState.ANSWERED;
    return switch (event.kind()) {
      // 13.3.1.4: the ACK confirms the dialog; after a late offer it carries the answer (RFC 3264 4).
      case ACK -> switch (((AckReceived) event).answer()) {
        case NOT_NEEDED -> Transition.to(CallState.CONFIRMED, new StopAckTimer(),
            new SetOutcome(Outcome.CONNECTED, "answered"));
        case ACCEPTED -> Transition.to(CallState.CONFIRMED, new StopAckTimer(), new StartMedia(),
            new SetOutcome(Outcome.CONNECTED, "answered"));
        case UNUSABLE -> Transition.to(CallState.ENDING, new CloseMedia("no usable SDP answer in ACK"),
            new SendBye("no usable SDP answer in ACK"),
            new SetOutcome(Outcome.NO_CODEC, "no usable SDP answer in ACK"));
      };
      // 15: once it has our 2xx the caller may BYE, even before its ACK reached us.
      case BYE -> Transition.to(CallState.TERMINATED, new AcceptBye(), new CloseMedia("caller hung up"),
          new SetOutcome(Outcome.CONNECTED, "caller hung up before ACK"));
      case ACK_TIMEOUT -> Transition.to(CallState.ENDING, new CloseMedia("no ACK"), new SendBye("no ACK"),
          new SetOutcome(Outcome.NO_ACK, "no ACK for 200 OK"));
      case MEDIA_ENDED -> {
        String reason = ((MediaEnded) event).end().reason();
        yield Transition.to(CallState.ENDING, new CloseMedia(reason), new SendBye(reason),
            new SetOutcome(Outcome.CONNECTED, reason));
      }
      case SHUTDOWN -> Transition.to(CallState.ENDING, new CloseMedia("server shutting down"),
          new SendBye("server shutting down"), new SetOutcome(Outcome.CONNECTED, "server stopped"));
      // 9.2: after the final response CANCEL has no effect, but is answered 200.
      case CANCEL -> Transition.to(s, new AcceptCancel());
      // 14.2: a re-INVITE while our 2xx awaits its ACK gets 500 with Retry-After.
      case REINVITE -> Transition.to(s, new RejectReInvite(500));
      case ABANDON -> Transition.to(CallState.TERMINATED, new NoteAbandoned());
      case DECIDED, DECISION_FAILED, MEDIA_READY, MEDIA_FAILED, BYE_COMPLETED -> Transition.to(s);
    };
  }

  private static Transition confirmed(CallEvent event) {
    final CallState s = CallState.CONFIRMED;
    return switch (event.kind()) {
      case BYE -> Transition.to(CallState.TERMINATED, new AcceptBye(), new CloseMedia("caller hung up"),
          new SetOutcome(Outcome.CONNECTED, "caller hung up"));
      case MEDIA_ENDED -> {
        String reason = ((MediaEnded) event).end().reason();
        yield Transition.to(CallState.ENDING, new CloseMedia(reason), new SendBye(reason),
            new SetOutcome(Outcome.CONNECTED, reason));
      }
      case SHUTDOWN -> Transition.to(CallState.ENDING, new CloseMedia("server shutting down"),
          new SendBye("server shutting down"), new SetOutcome(Outcome.CONNECTED, "server stopped"));
      // 14.2: a target refresh; the session is modified with our new answer (hold, resume, move).
      case REINVITE -> Transition.to(s, new AcceptReInvite());
      case CANCEL -> Transition.to(s, new AcceptCancel());
      // The ACK of a re-INVITE's 2xx; it carries the answer when our 2xx had the offer.
      case ACK -> ((AckReceived) event).answer() == CallEvent.AckAnswer.ACCEPTED
          ? Transition.to(s, new StartMedia())
          : Transition.to(s);
      case ABANDON -> Transition.to(CallState.TERMINATED, new NoteAbandoned());
      case DECIDED, DECISION_FAILED, MEDIA_READY, MEDIA_FAILED, ACK_TIMEOUT, BYE_COMPLETED -> Transition.to(s);
    };
  }

  private static Transition ending(CallEvent event) {
    final CallState s = CallState.ENDING;
    return switch (event.kind()) {
      case BYE_COMPLETED -> Transition.to(CallState.TERMINATED);
      // BYE glare (15.1.2): answer theirs; ours ends on its own.
      case BYE -> Transition.to(CallState.TERMINATED, new AcceptBye());
      case CANCEL -> Transition.to(s, new AcceptCancel());
      case REINVITE -> Transition.to(s, new RejectReInvite(481));
      case ABANDON -> Transition.to(CallState.TERMINATED, new NoteAbandoned());
      case DECIDED, DECISION_FAILED, MEDIA_READY, MEDIA_FAILED, ACK, MEDIA_ENDED, ACK_TIMEOUT, SHUTDOWN ->
          Transition.to(s);
    };
  }

  private static Transition terminated(CallEvent event) {
    final CallState s = CallState.TERMINATED;
    return switch (event.kind()) {
      case CANCEL -> Transition.to(s, new AcceptCancel());
      case BYE -> Transition.to(s, new AcceptBye());
      case REINVITE -> Transition.to(s, new RejectReInvite(481));
      // A media session that arrives after the call ended must not leak.
      case MEDIA_READY -> Transition.to(s, new CancelMedia());
      case DECIDED, DECISION_FAILED, MEDIA_FAILED, ACK, MEDIA_ENDED, ACK_TIMEOUT, BYE_COMPLETED, SHUTDOWN,
          ABANDON -> Transition.to(s);
    };
  }
}
