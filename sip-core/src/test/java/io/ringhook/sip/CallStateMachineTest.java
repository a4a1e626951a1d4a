package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.CallEvent.AckAnswer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every state of {@link CallStateMachine} against every event, as one table. */
class CallStateMachineTest {

  private static final CallEvent CONNECT = new CallEvent.Decided(CallDecision.connect(Map.of("a", "b")));
  private static final CallEvent REFUSE =
      new CallEvent.Decided(CallDecision.refuse(480, "webhook failed", Outcome.WEBHOOK_FAILED));

  /** One row: state, event, expected next state, expected action types in order. */
  static Stream<Arguments> table() {
    return Stream.of(
        // RINGING
        row(CallState.RINGING, CONNECT, CallState.CONNECTING, "OpenMedia"),
        row(CallState.RINGING, REFUSE, CallState.TERMINATED, "Refuse", "SetOutcome"),
        row(CallState.RINGING, new CallEvent.DecisionFailed("boom"), CallState.TERMINATED, "Refuse", "SetOutcome"),
        row(CallState.RINGING, new CallEvent.MediaReady(), CallState.RINGING, "CancelMedia"),
        row(CallState.RINGING, new CallEvent.MediaFailed(Outcome.MEDIA_ERROR, "y"), CallState.RINGING),
        row(CallState.RINGING, new CallEvent.CancelReceived(), CallState.TERMINATED,
            "AcceptCancel", "CancelDecision", "Refuse", "SetOutcome"),
        row(CallState.RINGING, new CallEvent.AckReceived(AckAnswer.NOT_NEEDED), CallState.RINGING),
        row(CallState.RINGING, new CallEvent.ByeReceived(), CallState.TERMINATED,
            "AcceptBye", "CancelDecision", "Refuse", "SetOutcome"),
        row(CallState.RINGING, new CallEvent.ReInviteReceived(), CallState.RINGING, "RejectReInvite"),
        row(CallState.RINGING, new CallEvent.MediaEnded(MediaEnd.rtpTimeout()), CallState.RINGING),
        row(CallState.RINGING, new CallEvent.AckTimeout(), CallState.RINGING),
        row(CallState.RINGING, new CallEvent.ByeCompleted(), CallState.RINGING),
        row(CallState.RINGING, new CallEvent.Shutdown(), CallState.TERMINATED, "CancelDecision", "Refuse", "SetOutcome"),
        row(CallState.RINGING, new CallEvent.Abandon(), CallState.TERMINATED, "NoteAbandoned"),
        // CONNECTING
        row(CallState.CONNECTING, CONNECT, CallState.CONNECTING),
        row(CallState.CONNECTING, new CallEvent.DecisionFailed("x"), CallState.CONNECTING),
        row(CallState.CONNECTING, new CallEvent.MediaReady(), CallState.ANSWERED, "Answer", "StartAckTimer"),
        row(CallState.CONNECTING, new CallEvent.MediaFailed(Outcome.AGENT_UNREACHABLE, "refused"),
            CallState.TERMINATED, "Refuse", "SetOutcome"),
        row(CallState.CONNECTING, new CallEvent.CancelReceived(), CallState.TERMINATED,
            "AcceptCancel", "CancelMedia", "Refuse", "SetOutcome"),
        row(CallState.CONNECTING, new CallEvent.AckReceived(AckAnswer.NOT_NEEDED), CallState.CONNECTING),
        row(CallState.CONNECTING, new CallEvent.ByeReceived(), CallState.TERMINATED,
            "AcceptBye", "CancelMedia", "Refuse", "SetOutcome"),
        row(CallState.CONNECTING, new CallEvent.ReInviteReceived(), CallState.CONNECTING, "RejectReInvite"),
        row(CallState.CONNECTING, new CallEvent.MediaEnded(MediaEnd.rtpTimeout()), CallState.CONNECTING),
        row(CallState.CONNECTING, new CallEvent.AckTimeout(), CallState.CONNECTING),
        row(CallState.CONNECTING, new CallEvent.ByeCompleted(), CallState.CONNECTING),
        row(CallState.CONNECTING, new CallEvent.Shutdown(), CallState.TERMINATED, "CancelMedia", "Refuse", "SetOutcome"),
        row(CallState.CONNECTING, new CallEvent.Abandon(), CallState.TERMINATED, "NoteAbandoned"),
        // ANSWERED
        row(CallState.ANSWERED, CONNECT, CallState.ANSWERED),
        row(CallState.ANSWERED, new CallEvent.DecisionFailed("x"), CallState.ANSWERED),
        row(CallState.ANSWERED, new CallEvent.MediaReady(), CallState.ANSWERED),
        row(CallState.ANSWERED, new CallEvent.MediaFailed(Outcome.MEDIA_ERROR, "y"), CallState.ANSWERED),
        row(CallState.ANSWERED, new CallEvent.CancelReceived(), CallState.ANSWERED, "AcceptCancel"),
        row(CallState.ANSWERED, new CallEvent.AckReceived(AckAnswer.NOT_NEEDED), CallState.CONFIRMED,
            "StopAckTimer", "SetOutcome"),
        row(CallState.ANSWERED, new CallEvent.AckReceived(AckAnswer.ACCEPTED), CallState.CONFIRMED,
            "StopAckTimer", "StartMedia", "SetOutcome"),
        row(CallState.ANSWERED, new CallEvent.AckReceived(AckAnswer.UNUSABLE), CallState.ENDING,
            "CloseMedia", "SendBye", "SetOutcome"),
        row(CallState.ANSWERED, new CallEvent.ByeReceived(), CallState.TERMINATED, "AcceptBye", "CloseMedia", "SetOutcome"),
        row(CallState.ANSWERED, new CallEvent.ReInviteReceived(), CallState.ANSWERED, "RejectReInvite"),
        row(CallState.ANSWERED, new CallEvent.MediaEnded(MediaEnd.rtpTimeout()), CallState.ENDING,
            "CloseMedia", "SendBye", "SetOutcome"),
        row(CallState.ANSWERED, new CallEvent.AckTimeout(), CallState.ENDING, "CloseMedia", "SendBye", "SetOutcome"),
        row(CallState.ANSWERED, new CallEvent.ByeCompleted(), CallState.ANSWERED),
        row(CallState.ANSWERED, new CallEvent.Shutdown(), CallState.ENDING, "CloseMedia", "SendBye", "SetOutcome"),
        row(CallState.ANSWERED, new CallEvent.Abandon(), CallState.TERMINATED, "NoteAbandoned"),
        // CONFIRMED
        row(CallState.CONFIRMED, CONNECT, CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.DecisionFailed("x"), CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.MediaReady(), CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.MediaFailed(Outcome.MEDIA_ERROR, "y"), CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.CancelReceived(), CallState.CONFIRMED, "AcceptCancel"),
        row(CallState.CONFIRMED, new CallEvent.AckReceived(AckAnswer.NOT_NEEDED), CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.AckReceived(AckAnswer.ACCEPTED), CallState.CONFIRMED, "StartMedia"),
        row(CallState.CONFIRMED, new CallEvent.AckReceived(AckAnswer.UNUSABLE), CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.ByeReceived(), CallState.TERMINATED,
            "AcceptBye", "CloseMedia", "SetOutcome"),
        row(CallState.CONFIRMED, new CallEvent.ReInviteReceived(), CallState.CONFIRMED, "AcceptReInvite"),
        row(CallState.CONFIRMED, new CallEvent.MediaEnded(MediaEnd.agentHungUp("bye")), CallState.ENDING,
            "CloseMedia", "SendBye", "SetOutcome"),
        row(CallState.CONFIRMED, new CallEvent.AckTimeout(), CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.ByeCompleted(), CallState.CONFIRMED),
        row(CallState.CONFIRMED, new CallEvent.Shutdown(), CallState.ENDING, "CloseMedia", "SendBye", "SetOutcome"),
        row(CallState.CONFIRMED, new CallEvent.Abandon(), CallState.TERMINATED, "NoteAbandoned"),
        // ENDING
        row(CallState.ENDING, CONNECT, CallState.ENDING),
        row(CallState.ENDING, new CallEvent.DecisionFailed("x"), CallState.ENDING),
        row(CallState.ENDING, new CallEvent.MediaReady(), CallState.ENDING),
        row(CallState.ENDING, new CallEvent.MediaFailed(Outcome.MEDIA_ERROR, "y"), CallState.ENDING),
        row(CallState.ENDING, new CallEvent.CancelReceived(), CallState.ENDING, "AcceptCancel"),
        row(CallState.ENDING, new CallEvent.AckReceived(AckAnswer.NOT_NEEDED), CallState.ENDING),
        row(CallState.ENDING, new CallEvent.ByeReceived(), CallState.TERMINATED, "AcceptBye"),
        row(CallState.ENDING, new CallEvent.ReInviteReceived(), CallState.ENDING, "RejectReInvite"),
        row(CallState.ENDING, new CallEvent.MediaEnded(MediaEnd.rtpTimeout()), CallState.ENDING),
        row(CallState.ENDING, new CallEvent.AckTimeout(), CallState.ENDING),
        row(CallState.ENDING, new CallEvent.ByeCompleted(), CallState.TERMINATED),
        row(CallState.ENDING, new CallEvent.Shutdown(), CallState.ENDING),
        row(CallState.ENDING, new CallEvent.Abandon(), CallState.TERMINATED, "NoteAbandoned"),
        // TERMINATED
        row(CallState.TERMINATED, CONNECT, CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.DecisionFailed("x"), CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.MediaReady(), CallState.TERMINATED, "CancelMedia"),
        row(CallState.TERMINATED, new CallEvent.MediaFailed(Outcome.MEDIA_ERROR, "y"), CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.CancelReceived(), CallState.TERMINATED, "AcceptCancel"),
        row(CallState.TERMINATED, new CallEvent.AckReceived(AckAnswer.NOT_NEEDED), CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.ByeReceived(), CallState.TERMINATED, "AcceptBye"),
        row(CallState.TERMINATED, new CallEvent.ReInviteReceived(), CallState.TERMINATED, "RejectReInvite"),
        row(CallState.TERMINATED, new CallEvent.MediaEnded(MediaEnd.rtpTimeout()), CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.AckTimeout(), CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.ByeCompleted(), CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.Shutdown(), CallState.TERMINATED),
        row(CallState.TERMINATED, new CallEvent.Abandon(), CallState.TERMINATED));
  }

  private static Arguments row(CallState from, CallEvent event, CallState to, String... actions) {
    return Arguments.of(from, event, to, List.of(actions));
  }

  @ParameterizedTest(name = "{0} + {1} -> {2} {3}")
  @MethodSource("table")
  void transition(CallState from, CallEvent event, CallState to, List<String> actions) {
    CallStateMachine.Transition t = CallStateMachine.next(from, event);
    assertEquals(to, t.next());
    assertEquals(actions, t.actions().stream().map(a -> a.getClass().getSimpleName()).toList());
  }

  @Test
  void theTableCoversEveryStateAndEventKind() {
    Set<String> covered = table().map(a -> a.get()[0] + "/" + ((CallEvent) a.get()[1]).kind())
        .collect(Collectors.toSet());
    for (CallState s : CallState.values()) {
      for (CallEvent.Kind k : CallEvent.Kind.values()) {
        assertTrue(covered.contains(s + "/" + k), "no row for " + s + " + " + k);
      }
    }
  }

  @Test
  void aDeclineIsRefusedWithTheCustomersStatusAndReasonForTheCaller() {
    CallStateMachine.Transition t = CallStateMachine.next(CallState.RINGING,
        new CallEvent.Decided(new CallDecision.Decline(486, "spam", List.of())));
    assertEquals(CallState.TERMINATED, t.next());
    assertEquals(new CallAction.Refuse(486, "spam", java.util.Optional.of("spam")), t.actions().get(0));
    assertEquals(new CallAction.SetOutcome(Outcome.DECLINED, "spam"), t.actions().get(1));
  }

  @Test
  void refusalCarriesTheDecisionsStatusAndOutcome() {
    CallStateMachine.Transition t = CallStateMachine.next(CallState.RINGING, REFUSE);
    assertEquals(new CallAction.Refuse(480, "webhook failed"), t.actions().get(0));
    assertEquals(new CallAction.SetOutcome(Outcome.WEBHOOK_FAILED, "webhook failed"), t.actions().get(1));
  }

  @Test
  void cancelWhileRingingAnswers487AndAbortsTheDecision() {
    CallStateMachine.Transition t = CallStateMachine.next(CallState.RINGING, new CallEvent.CancelReceived());
    assertEquals(new CallAction.Refuse(487, "request terminated"), t.actions().get(2));
  }

  @Test
  void mediaFailureRefusesWithItsStatus() {
    CallStateMachine.Transition t = CallStateMachine.next(CallState.CONNECTING,
        new CallEvent.MediaFailed(Outcome.AGENT_UNREACHABLE, "connection refused"));
    assertEquals(new CallAction.Refuse(503, "connection refused"), t.actions().get(0));
  }

  @Test
  void reInviteBeforeAckGets500AndAfterTheEnd481() {
    assertEquals(new CallAction.RejectReInvite(500),
        CallStateMachine.next(CallState.ANSWERED, new CallEvent.ReInviteReceived()).actions().get(0));
    assertEquals(new CallAction.RejectReInvite(481),
        CallStateMachine.next(CallState.TERMINATED, new CallEvent.ReInviteReceived()).actions().get(0));
  }

  @Test
  void earlyStatesAreThoseBeforeTheFinalResponse() {
    assertEquals(EnumSet.of(CallState.RINGING, CallState.CONNECTING),
        EnumSet.copyOf(Stream.of(CallState.values()).filter(CallState::early).toList()));
  }
}
