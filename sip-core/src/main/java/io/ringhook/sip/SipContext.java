package io.ringhook.sip;

import io.ringhook.sip.CallObserver.CallSummary;
import java.time.Clock;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every call of one {@link SipServer} shares: configuration, collaborators, threads, the call registry
 * and the count of calls in set-up the admission check reads.
 */
record SipContext(SipConfig config, CallDecider decider, MediaBridge bridge, CallObserver observer,
                  Executor workers, ScheduledExecutorService scheduler, Clock clock, Responder responder,
                  ConcurrentMap<String, Call> registry, SetupsInFlight setups) {
  private static final Logger LOG = LoggerFactory.getLogger(Call.class);

  /** Logs the end of a call (or of an INVITE refused at once) and tells the observer; never throws. */
  void report(CallSummary s) {
    InboundCall info = s.call();
    // A refusal at the INVITE screen runs outside the call's thread, which tags its lines itself.
    boolean tagged = MDC.get(InboundCall.LOG_KEY) != null;
    if (!tagged) {
      MDC.put(InboundCall.LOG_KEY, info.callId());
    }
    try {
      LOG.info("call {} ended: outcome={} status={} from={} to={} trunk={} source={} detail={}", info.callId(),
          s.outcome(), s.finalStatus(), info.fromNumber(), info.toNumber(), info.trunk(), info.source(),
          Logfmt.quote(s.detail()));
    } finally {
      if (!tagged) {
        MDC.remove(InboundCall.LOG_KEY);
      }
    }
    record(s);
  }

  /** Tells the observer (the call's record) without a log line; never throws. */
  void record(CallSummary s) {
    try {
      observer.callEnded(s);
    } catch (RuntimeException e) {
      LOG.warn("call observer failed for {}", s.call().callId(), e);
    }
  }
}
