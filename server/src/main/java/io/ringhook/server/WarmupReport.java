package io.ringhook.server;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the start-up warm-up ({@code startup.warmup}) did: synthetic calls through a loopback copy of
 * the call path, counted at each stage, before the SIP port opened.
 *
 * @param took     from the start of the warm-up to the end of its tear-down
 * @param sipPort  the loopback port its SIP listener had (closed again), 0 when none was opened
 * @param calls    INVITEs sent
 * @param lastRound of those, the ones of the last round, on a fresh copy ({@link Warmup#LAST_ROUND_CALLS}); 0 when
 *                 there was one round only
 * @param webhooks webhook requests its in-process endpoint answered
 * @param answered calls answered 200 (after the webhook, the agent's WebSocket and the RTP port)
 * @param refused  calls refused with 503
 * @param refusedOnPurpose of those, the ones refused on purpose (one new INVITE in {@link Warmup#REFUSE_EVERY}); the
 *                 rest were refused because a stage failed (e.g. the agent could not be reached)
 * @param echoed   calls whose RTP came back from the agent
 * @param ended    calls hung up with BYE and its 200
 * @param failed   calls whose answer did not come in time, or was a failure other than 503 (a lost or odd message)
 * @param recorded call records written to the warm-up's throw-away store (the real one never sees them)
 * @param compileMillis what the JIT's compiler threads spent compiling during the warm-up, summed, when the JVM
 *                 measures it
 * @param jitSettled whether the JIT had caught up with the calls when the warm-up ended (its compilers busy for
 *                 at most {@link Warmup#JIT_SHARE} of the last {@link Warmup#JIT_WINDOW}); false when it ran
 *                 out of time first, or when the JVM does not measure its compile time
 * @param problem  why the call path could not be warmed (only SIP parsing was), when it could not
 */
public record WarmupReport(Duration took, int sipPort, long calls, long lastRound, long webhooks, long answered,
                           long refused, long refusedOnPurpose, long echoed, long ended, long failed, long recorded,
                           OptionalLong compileMillis, boolean jitSettled, Optional<String> problem) {
  /** No warm-up ran ({@code startup.warmup: 0s}). */
  public static final WarmupReport NONE = new WarmupReport(Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      OptionalLong.empty(), false, Optional.empty());
}
