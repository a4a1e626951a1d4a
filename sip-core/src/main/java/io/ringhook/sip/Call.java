package io.ringhook.sip;

import io.ringhook.sip.CallAction.AcceptBye;
import io.ringhook.sip.CallAction.AcceptCancel;
import io.ringhook.sip.CallAction.AcceptReInvite;
import io.ringhook.sip.CallAction.Answer;
import io.ringhook.sip.CallAction.CancelDecision;
import io.ringhook.sip.CallAction.CancelMedia;
import io.ringhook.sip.CallAction.CloseMedia;
import io.ringhook.sip.CallAction.OpenMedia;
import io.ringhook.sip.CallAction.Outcome;
import io.ringhook.sip.CallAction.Refuse;
import io.ringhook.sip.CallAction.RejectReInvite;
import io.ringhook.sip.CallAction.SendBye;
import io.ringhook.sip.CallAction.StartMedia;
import io.ringhook.sip.CallEvent.AckAnswer;
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

  private final SipContext ctx;
  private final InboundCall info;
  private final String key;
  private final ServerTransaction inviteSt;
  private final Request invite;
  private final String toTag;
  private final SdpSession sdp;
  private final Executor events;
  private final Instant received;

  private CallState state = CallState.RINGING;
  private CompletableFuture<CallDecision> decision;
  private CompletableFuture<MediaSession> mediaOpening;
  private MediaSession media;
  private boolean mediaStarted;
  private Map<String, String> variables = Map.of();
  private ServerTransaction pendingCancel;
  private ServerTransaction pendingBye;
  private ServerTransaction pendingReInvite;
  private ScheduledFuture<?> ackTimer;
  private Instant ringing;
  private Instant decided;
  private Instant answered;
  private String endedBy;
  /** Whether no final response has been sent yet, readable from any thread (for gauges). */
  private volatile boolean early = true;
  private int finalStatus;
  private String outcome;
  private List<CallAction> currentActions = List.of();
  private String outcomeDetail = "";

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
    this.received = ctx.clock().instant();
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
      finalStatus = 180;
      ctx.responder().provisional(inviteSt, 180, toTag, info.callId());
      ringing = ctx.clock().instant();
      try {
        decision = ctx.decider().decide(info);
      } catch (RuntimeException e) {
        decision = CompletableFuture.failedFuture(e);
      }
      decision.whenComplete((d, ex) -> {
        if (ex == null && d != null) {
          post(new CallEvent.Decided(d));
        } else if (!isCancellation(ex)) {
          post(new CallEvent.DecisionFailed("decider failed: " + describe(ex)));
        }
      });
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
    events.execute(() -> {
      fire(new CallEvent.AckReceived(sdp.acceptAck(ack)));
      if (state == CallState.CONFIRMED && ackTimer != null) {
        ackTimer.cancel(false);
        ackTimer = null;
      }
    });
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
    events.execute(() -> {
      if (state != CallState.TERMINATED) {
        LOG.info("call {} abandoned in {} at shutdown", info.callId(), state);
        if (outcome != null && !outcomeDetail.contains("shutdown")) {
          outcomeDetail = outcomeDetail + " (no answer to BYE before shutdown)";
        }
        state = CallState.TERMINATED;
        finish();
      }
    });
  }

  private void post(CallEvent event) {
    events.execute(() -> fire(event));
  }

  // ---- the state machine and its actions, on the call's event thread ----

  private void fire(CallEvent event) {
    if (decided == null && (event.kind() == CallEvent.Kind.DECIDED || event.kind() == CallEvent.Kind.DECISION_FAILED)) {
      decided = ctx.clock().instant();
    }
    CallState before = state;
    CallStateMachine.Transition t = CallStateMachine.next(state, event);
    state = t.next();
    early = state.early();
    if (endedBy == null && (state == CallState.ENDING || state == CallState.TERMINATED)) {
      endedBy = endedBy(event);
    }
    if (before != state) {
      LOG.debug("call {} {} -> {} on {}", info.callId(), before, state, event.kind());
    }
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

  /**
   * The class of a refusal for the response's Reason header: the outcome the same transition
   * records (e.g. {@code webhook_failed}), never the refusal's free-text reason.
   */
  private String refusalClass() {
    return currentActions.stream().filter(Outcome.class::isInstance).map(a -> ((Outcome) a).outcome())
        .findFirst().orElse(null);
  }

  private void perform(CallAction action) {
    if (action instanceof OpenMedia) {
      openMedia();
    } else if (action instanceof Answer) {
      answer();
    } else if (action instanceof Refuse r) {
      finalStatus = r.status();
      ctx.responder().fail(inviteSt, r.status(), toTag, info.callId(), refusalClass());
    } else if (action instanceof AcceptCancel) {
      ctx.responder().ok(pendingCancel, toTag);
      pendingCancel = null;
    } else if (action instanceof AcceptBye) {
      ctx.responder().ok(pendingBye);
      pendingBye = null;
    } else if (action instanceof CancelDecision) {
      if (decision != null) {
        decision.cancel(true);
      }
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
    } else if (action instanceof Outcome o) {
      if (outcome == null) {
        outcome = o.outcome();
        outcomeDetail = o.detail();
      } else if ("connected".equals(outcome) && "answered".equals(outcomeDetail)) {
        outcomeDetail = o.detail();
      }
    } else {
      throw new IllegalStateException("unhandled action " + action);
    }
  }

  private void openMedia() {
    CallDecision d = decision.getNow(null);
    if (d instanceof CallDecision.Connect connect) {
      variables = connect.variables();
    }
    try {
      mediaOpening = ctx.bridge().open(info, variables);
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
          fire(new CallEvent.MediaFailed(me.sipStatus(), me.outcome(), me.getMessage()));
        } else {
          fire(new CallEvent.MediaFailed(503, "media_error", describe(cause)));
        }
      }
    }));
  }

  private void answer() {
    finalStatus = 200;
    answered = ctx.clock().instant();
    String body = sdp.localDescription(media.rtpPort());
    ctx.responder().answer(inviteSt, toTag, info.callId(), body);
    if (sdp.complete()) {
      startOrUpdateMedia();
    }
    ackTimer = ctx.scheduler().schedule(() -> post(new CallEvent.AckTimeout()),
        ctx.config().ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
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
      media.start(sdp.params(), reason -> post(new CallEvent.MediaEnded(reason)));
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

  private void finish() {
    if (ackTimer != null) {
      ackTimer.cancel(false);
    }
    closeMedia("call ended");
    // Out of the registry before the observer hears of it, so activeCalls() is already down when
    // the summary arrives. SipServer.close waits for the call threads, so no summary is cut off.
    ctx.registry().remove(key, this);
    Instant ended = ctx.clock().instant();
    String o = outcome == null ? "unknown" : outcome;
    LOG.info("call {} ended: outcome={} status={} from={} to={} trunk={} detail={}", info.callId(), o,
        finalStatus, info.fromNumber(), info.toNumber(), info.trunk(), Logfmt.quote(outcomeDetail));
    try {
      ctx.observer().callEnded(new CallObserver.CallSummary(info, o, outcomeDetail, finalStatus,
          endedBy == null ? CallObserver.CallSummary.RINGHOOK : endedBy, received, Optional.ofNullable(ringing),
          Optional.ofNullable(decided), Optional.ofNullable(answered), ended, variables));
    } catch (RuntimeException e) {
      LOG.warn("call observer failed for {}", info.callId(), e);
    }
  }

  /** Whether the call is still ringing or connecting (no final response yet); any thread. */
  boolean early() {
    return early;
  }

  /** Who ended the call, from the event that ended it. */
  private static String endedBy(CallEvent event) {
    switch (event.kind()) {
      case CANCEL:
      case BYE:
        return CallObserver.CallSummary.CALLER;
      case MEDIA_ENDED:
        // The agent bridge names the agent's own hang-up "agent hung up: ..."; anything else
        // (RTP timeout, media error) is ringhook ending the call.
        return ((CallEvent.MediaEnded) event).reason().startsWith("agent")
            ? CallObserver.CallSummary.AGENT : CallObserver.CallSummary.RINGHOOK;
      default:
        return CallObserver.CallSummary.RINGHOOK;
    }
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
