package io.ringhook.server;

import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.WebhookAttemptRecord;
import io.ringhook.sip.CallObserver;
import io.ringhook.sip.InboundCall;
import io.ringhook.webhook.AttemptListener;
import io.ringhook.webhook.FailureReason;
import io.ringhook.webhook.WebhookResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the SIP layer, the webhook client and the agent bridge say about a call into its one
 * {@link CallRecord}: the SIP summary at the end, every webhook attempt as it ends, the agent used.
 * Never blocks: records go to a consumer that queues them (the records writer, the metrics).
 *
 * <p>A caller who hangs up while the webhook is in flight ends the call before the aborted attempt
 * is reported (the abort happens on the webhook's event loop), so the record of a call whose
 * webhook is still open waits up to {@link #LATE_ATTEMPT_WAIT} for it.
 */
final class CallRecorder implements CallObserver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CallRecorder.class);
  static final Duration LATE_ATTEMPT_WAIT = Duration.ofSeconds(1);

  /** What is gathered about a call while it runs. */
  private static final class Trail {
    final List<WebhookAttemptRecord> attempts = new ArrayList<>();
    volatile String agent;
    volatile boolean webhookOpen;
    CallObserver.CallSummary ended;
  }

  private final Consumer<CallRecord> sink;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentHashMap<String, Trail> trails = new ConcurrentHashMap<>();

  /**
   * @param sink      takes each finished record; must not block
   * @param scheduler times the wait for a late webhook attempt
   */
  CallRecorder(Consumer<CallRecord> sink, ScheduledExecutorService scheduler) {
    this.sink = sink;
    this.scheduler = scheduler;
  }

  /**
   * {@code call} rang and is being decided: from now on what the webhook and the agent bridge say
   * about it is kept for its record. (An agent event for a call not started, or already recorded,
   * is dropped, so a late event cannot leave a trail behind.)
   */
  void callStarted(InboundCall call) {
    trail(call.callId());
  }

  /** A webhook is being asked about {@code call}: its attempts are collected until the call's record is made. */
  AttemptListener webhookStarted(InboundCall call) {
    Trail t = trail(call.callId());
    t.webhookOpen = true;
    return attempt -> {
      boolean complete;
      synchronized (t) {
        t.attempts.add(toRecord(attempt));
        // An attempt that succeeded ends the webhook; a cancelled one is the last there will be.
        if (attempt.succeeded() || attempt.failure().orElse(null) == FailureReason.CANCELLED) {
          t.webhookOpen = false;
        }
        complete = t.ended != null && !t.webhookOpen;
      }
      if (complete) {
        emit(call.callId());
      }
    };
  }

  /** The webhook's result arrived (or it failed for good): no more attempts will come. */
  void webhookFinished(InboundCall call) {
    Trail t = trails.get(call.callId());
    if (t != null) {
      t.webhookOpen = false;
    }
  }

  /**
   * {@code agent} was picked for {@code call}: before connecting, so before the call can end (the
   * bridge's connect listener can report after the record is made).
   */
  void agentChosen(InboundCall call, String agent) {
    trails.computeIfPresent(call.callId(), (id, t) -> {
      t.agent = agent;
      return t;
    });
  }


  /** Calls seen but not yet recorded (for tests: it must fall back to zero). */
  int open() {
    return trails.size();
  }

  @Override
  public void callEnded(CallSummary summary) {
    String id = summary.call().callId();
    Trail t = trail(id);
    boolean wait;
    synchronized (t) {
      t.ended = summary;
      wait = t.webhookOpen;
    }
    if (!wait) {
      emit(id);
      return;
    }
    try {
      scheduler.schedule(() -> emit(id), LATE_ATTEMPT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      emit(id); // stopping: record what is known now
    }
  }

  /** Records every call that has ended but still waits for a late attempt. */
  @Override
  public void close() {
    for (String id : List.copyOf(trails.keySet())) {
      Trail t = trails.get(id);
      if (t == null) {
        continue;
      }
      boolean ended;
      synchronized (t) {
        ended = t.ended != null;
      }
      if (ended) {
        emit(id);
      }
    }
  }

  private Trail trail(String callId) {
    return trails.computeIfAbsent(callId, k -> new Trail());
  }

  private void emit(String callId) {
    Trail t = trails.remove(callId);
    if (t == null) {
      return; // already recorded
    }
    CallRecord record;
    synchronized (t) {
      record = toRecord(t.ended, t.attempts, Optional.ofNullable(t.agent));
    }
    try {
      sink.accept(record);
    } catch (RuntimeException e) {
      LOG.warn("call record of {} not taken", callId, e);
    }
  }

  static CallRecord toRecord(CallSummary s, List<WebhookAttemptRecord> attempts, Optional<String> agent) {
    InboundCall c = s.call();
    return new CallRecord(c.callId(), c.sipCallId(), c.trunk(),
        c.source().getAddress().getHostAddress() + ":" + c.source().getPort(), c.fromNumber(), c.toNumber(),
        s.received(), s.ringing(), s.decided(), s.answered(), s.ended(), s.outcome().value(), s.finalStatus(), s.endedBy().value(),
        s.detail(), s.variables() == null ? Map.of() : s.variables(), agent, attempts);
  }

  static WebhookAttemptRecord toRecord(WebhookResult.Attempt a) {
    return new WebhookAttemptRecord(a.number(), a.start(), a.latency(), a.status(),
        a.failure().map(FailureReason::label), a.detail());
  }
}
