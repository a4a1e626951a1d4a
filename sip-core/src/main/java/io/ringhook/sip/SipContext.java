package io.ringhook.sip;

import java.time.Clock;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** What every call of one {@link SipServer} shares: configuration, collaborators, threads and the call registry. */
record SipContext(SipConfig config, CallDecider decider, MediaBridge bridge, CallObserver observer,
                  Executor workers, ScheduledExecutorService scheduler, Clock clock, Responder responder,
                  ConcurrentMap<String, Call> registry) {}
