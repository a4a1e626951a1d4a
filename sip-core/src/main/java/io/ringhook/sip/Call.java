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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One inbound call: its SIP transactions, its decision, its media, and the state machine that
 * ties them together. Every method that touches state runs on the call's {@link SerialExecutor};
 * the public entry points only post to it.
 */
final class Call {
  private static final Logger LOG = LoggerFactory.getLogger(Call.class);
  /** How long an ended call's report waits for its decider to say what it tried (the attempt a hang-up aborted). */
  static final Duration LATE_DECISION_WAIT = Duration.ofSeconds(1);

  private final SipContext ctx;
  private final InboundCall info;
  private final String key;
  private final ServerTransaction inviteSt;
  private final Request invite;
  private final String toTag;
  private final SdpSession sdp;
  private final Executor events;
  private final CallStory story;

  private CallState state = CallState.RINGING;
  private CompletableFuture<CallDecision> decision;
  /** Completed when the caller hangs up (or the server stops) before the decision: the decider stops. */
  private final CompletableFuture<Void> hungUp = new CompletableFuture<>();
  private CompletableFuture<MediaSession> mediaOpening;
  private MediaSession media;
  private boolean mediaStarted;
  private ServerTransaction pendingCancel;
  private ServerTransaction pendingBye;
  private ServerTransaction pendingReInvite;
  private ScheduledFuture<?> ackTimer;
  /** Whether no final response has been sent yet, readable from any thread (for gauges). */
  private volatile boolean early = true;
  private Instant ended;
  private boolean reported;
  private List<CallAction> currentActions = List.of();
  /**
   * Whether this call counts among the calls in set-up ({@link SetupsInFlight}): from admission until
   * it asks its decider, and while CONNECTING; not while it waits for the webhook.
   */
  private boolean inSetup;

  Call(SipContext ctx, InboundCall info, String key, ServerTransaction inviteSt, String toTag, SdpSession sdp) {
    this.ctx = ctx;
    this.info = info;
    this.key = key;
    this.inviteSt = inviteSt;
    this.invite = inviteSt.getRequest();
    this.toTag = toTag;
    this.sdp = sdp;
    SerialExecutor serial = new SerialExecutor(ctx.workers());
    // Every log line written while handling this call carries its id (MDC key call_id).
    this.events = task -> serial.execute(() -> {
      MDC.put(InboundCall.LOG_KEY, info.callId());
      try {
        task.run();
      } finally {
        MDC.remove(InboundCall.LOG_KEY);
      }
    });
    this.story = new CallStory(info, ctx.clock().instant());
    ctx.setups().enter();
    this.inSetup = true;
  }

  InboundCall info() {
    return info;
  }

  String key() {
    return key;
  }

  // ---- entry points: called from JAIN-SIP, decider, media and timer threads; they only post ----

  /** Rings and asks the decider (RFC 3261 13.3.1.1: 180 with a To-tag creates the early dialog). */
  void start() {
    events.execute(() -> {
      ctx.responder().provisional(inviteSt, 180, toTag, info.callId());
      story.ringing(ctx.clock().instant());
      try {
        decision = ctx.decider().decide(info, hungUp);
      } catch (RuntimeException e) {
        decision = CompletableFuture.failedFuture(e);
      }
      decision.whenComplete((d, ex) -> {
        if (hungUp.isDone()) {
          return; // too late to matter; the call's report picks up what the decider tried
        }
        if (d instanceof CallDecision.Abandoned) {
          post(new CallEvent.DecisionFailed("decider gave up on its own"));
        } else if (ex == null && d != null) {
          post(new CallEvent.Decided(d));
        } else if (!isCancellation(ex)) {
          post(new CallEvent.DecisionFailed("decider failed: " + describe(ex)));
        }
      });
      // Waiting for the webhook is not set-up work; a decision already made is posted and counts again
      // from CONNECTING.
      if (inSetup) {
        inSetup = false;
        ctx.setups().pause();
      }
    });
  }

  void onCancel(ServerTransaction cancelSt) {
    events.execute(() -> {
      pendingCancel = cancelSt;
      fire(new CallEvent.CancelReceived());
    });
  }

  void onBye(ServerTransaction byeSt) {
    events.execute(() -> {
      pendingBye = byeSt;
      fire(new CallEvent.ByeReceived());
    });
  }

  void onReInvite(ServerTransaction reInviteSt) {
    events.execute(() -> {
      pendingReInvite = reInviteSt;
      fire(new CallEvent.ReInviteReceived());
    });
  }

  void onAck(Request ack) {
    events.execute(() -> fire(new CallEvent.AckReceived(sdp.acceptAck(ack))));
  }

  void onByeCompleted() {
    post(new CallEvent.ByeCompleted());
  }

  void shutdown() {
    post(new CallEvent.Shutdown());
  }

  /**
   * The server is stopping and the call did not end in time (e.g. our BYE got no answer): it
   * ends now, reported as it stands.
   */
  void abandon() {
    post(new CallEvent.Abandon());
  }

  private void post(CallEvent event) {
    events.execute(() -> fire(event));
  }

  // ---- the state machine and its actions, on the call's event thread ----

  private void fire(CallEvent event) {
    if (event.kind() == CallEvent.Kind.DECIDED || event.kind() == CallEvent.Kind.DECISION_FAILED) {
      story.decided(ctx.clock().instant());
    }
    CallState before = state;
    CallStateMachine.Transition t = CallStateMachine.next(state, event);
    state = t.next();
    early = state.early();
    if (state == CallState.ENDING || state == CallState.TERMINATED) {
      story.endedBy(endedBy(event));
    }
    if (before != state) {
      LOG.debug("call {} {} -> {} on {}", info.callId(), before, state, event.kind());
    }
    countSetup();
    currentActions = t.actions();
    for (CallAction action : t.actions()) {
      try {
        perform(action);
      } catch (RuntimeException e) {
        LOG.warn("call {}: {} failed in {}", info.callId(), action, state, e);
      }
    }
    if (state == CallState.TERMINATED && before != CallState.TERMINATED) {
      finish();
    }
  }

  /** Keeps {@link SetupsInFlight} in step with the state: a call in set-up leaves it once no longer CONNECTING. */
  private void countSetup() {
    boolean connecting = state == CallState.CONNECTING;
    if (connecting && !inSetup) {
      inSetup = true;
      ctx.setups().enter();
    } else if (!connecting && inSetup) {
      inSetup = false;
      ctx.setups().finish();
    }
  }

  /**
   * The class of a refusal for the response's Reason header: the outcome the same transition
   * records (e.g. {@code webhook_failed}), never the refusal's free-text reason.
   */
  private String refusalClass() {
    return currentActions.stream().filter(SetOutcome.class::isInstance)
        .map(a -> ((SetOutcome) a).outcome().value()).findFirst().orElse(null);
  }

  private void perform(CallAction action) {
    if (action instanceof OpenMedia) {
      openMedia();
    } else if (action instanceof Answer) {
      answer();
    } else if (action instanceof StartAckTimer) {
      ackTimer = ctx.scheduler().schedule(() -> post(new CallEvent.AckTimeout()),
          ctx.config().ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } else if (action instanceof StopAckTimer) {
      stopAckTimer();
    } else if (action instanceof Refuse r) {
      story.refused(r.status());
      ctx.responder().fail(inviteSt, r.status(), toTag, info.callId(), refusalClass(), r.callerReason());
    } else if (action instanceof AcceptCancel) {
      ctx.responder().ok(pendingCancel, toTag);
      pendingCancel = null;
    } else if (action instanceof AcceptBye) {
      ctx.responder().ok(pendingBye);
      pendingBye = null;
    } else if (action instanceof CancelDecision) {
      hungUp.complete(null);
    } else if (action instanceof CancelMedia) {
      if (mediaOpening != null) {
        mediaOpening.cancel(true);
      }
      closeMedia("call ended before answer");
    } else if (action instanceof StartMedia) {
      startOrUpdateMedia();
    } else if (action instanceof AcceptReInvite) {
      acceptReInvite();
    } else if (action instanceof RejectReInvite r) {
      ctx.responder().reject(pendingReInvite, r.status());
      pendingReInvite = null;
    } else if (action instanceof CloseMedia c) {
      closeMedia(c.reason());
    } else if (action instanceof SendBye b) {
      ctx.responder().bye(dialog(), b.reason(), this);
    } else if (action instanceof SetOutcome o) {
      story.outcome(o.outcome(), o.detail());
    } else if (action instanceof NoteAbandoned) {
      LOG.info("call {} abandoned at shutdown", info.callId());
      story.abandoned();
    } else {
      throw new IllegalStateException("unhandled action " + action);
    }
  }

  private void openMedia() {
    CallDecision.Connect connect = decision.getNow(null) instanceof CallDecision.Connect c
        ? c : CallDecision.connect(Map.of());
    story.connecting(connect);
    try {
      mediaOpening = ctx.bridge().open(info, connect);
    } catch (RuntimeException e) {
      mediaOpening = CompletableFuture.failedFuture(e);
    }
    mediaOpening.whenComplete((session, ex) -> events.execute(() -> {
      if (ex == null) {
        if (state == CallState.CONNECTING) {
          media = session;
        } else {
          session.close("call ended before media was ready");
        }
        fire(new CallEvent.MediaReady());
      } else if (!isCancellation(ex)) {
        Throwable cause = unwrap(ex);
        if (cause instanceof MediaException me) {
          fire(new CallEvent.MediaFailed(me.outcome(), me.getMessage()));
        } else {
          fire(new CallEvent.MediaFailed(Outcome.MEDIA_ERROR, describe(cause)));
        }
      }
    }));
  }

  private void answer() {
    story.answered(ctx.clock().instant());
    String body = sdp.localDescription(media.rtpPort());
    ctx.responder().answer(inviteSt, toTag, info.callId(), body);
    if (sdp.complete()) {
      startOrUpdateMedia();
    }
  }

  private void acceptReInvite() {
    ServerTransaction st = pendingReInvite;
    pendingReInvite = null;
    if (media == null) {
      ctx.responder().reject(st, 500);
      return;
    }
    Optional<String> body = sdp.reOffer(st.getRequest(), media.rtpPort());
    if (body.isEmpty()) {
      ctx.responder().reject(st, 488);
      return;
    }
    ctx.responder().answer(st, toTag, info.callId(), body.get());
    if (sdp.complete()) {
      startOrUpdateMedia();
    }
  }

  private void startOrUpdateMedia() {
    if (media == null || !sdp.complete()) {
      return;
    }
    if (mediaStarted) {
      media.update(sdp.params());
    } else {
      mediaStarted = true;
      media.start(sdp.params(), end -> post(new CallEvent.MediaEnded(end)));
    }
  }

  private void closeMedia(String reason) {
    if (media != null) {
      MediaSession m = media;
      media = null;
      m.close(reason);
    }
  }

  private Dialog dialog() {
    return inviteSt.getDialog();
  }

  private void stopAckTimer() {
    if (ackTimer != null) {
      ackTimer.cancel(false);
      ackTimer = null;
    }
  }

  /**
   * The call has ended: releases what it holds, then reports it once its decision has settled, so
   * that the record has every webhook attempt, the one the hang-up aborted included (the decider
   * reports it from its own thread a moment later). A decider that never settles is waited for
   * {@link #LATE_DECISION_WAIT}.
   */
  private void finish() {
    stopAckTimer();
    closeMedia("call ended");
    ended = ctx.clock().instant();
    CompletableFuture<CallDecision> d = decision;
    if (d == null || d.isDone()) {
      report();
      return;
    }
    d.whenComplete((x, ex) -> events.execute(this::report));
    try {
      ctx.scheduler().schedule(() -> events.execute(this::report), LATE_DECISION_WAIT.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      report(); // stopping: report what is known now
    }
  }

  private void report() {
    if (reported) {
      return;
    }
    reported = true;
    if (decision != null && decision.isDone() && !decision.isCompletedExceptionally()) {
      story.decision(decision.join());
    }
    // Out of the registry before the observer hears of it, so activeCalls() is already down when
    // the summary arrives. SipServer.close waits for the calls to leave it, so no summary is cut off.
    ctx.registry().remove(key, this);
    ctx.report(story.summary(ended));
  }

  /** Whether the call is still ringing or connecting (no final response yet); any thread. */
  boolean early() {
    return early;
  }

  /** Who ended the call, from the event that ended it. */
  private static EndedBy endedBy(CallEvent event) {
    return switch (event.kind()) {
      case CANCEL, BYE -> EndedBy.CALLER;
      case MEDIA_ENDED -> ((CallEvent.MediaEnded) event).end().by();
      default -> EndedBy.RINGHOOK;
    };
  }

  /** The state, for tests and diagnostics; read it from the call's own thread only. */
  CallState state() {
    return state;
  }

  private static boolean isCancellation(Throwable ex) {
    return unwrap(ex) instanceof CancellationException;
  }

  private static Throwable unwrap(Throwable ex) {
    Throwable t = ex;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable ex) {
    Throwable t = unwrap(ex);
    return t == null ? "no decision" : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
