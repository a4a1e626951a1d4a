package io.ringhook.sip;

import java.util.concurrent.CompletableFuture;

/**
 * Opens the media side of calls that have been decided to connect.
 *
 * <p>Called from the call's own event thread once the {@link CallDecider} said connect and before
 * the SIP layer sends 200 OK: the returned future completes when the call may be answered (an RTP
 * port is bound and whatever consumes the audio, e.g. the agent WebSocket, is ready). It must not
 * block. When it completes exceptionally with a {@link MediaException}, the call is refused with
 * that exception's status (503 by default). If the caller hangs up while it is pending, the SIP
 * layer cancels the future and, should it still complete, closes the session it yields.
 */
@FunctionalInterface
public interface MediaBridge {
  /**
   * @param decision the connect decision: the variables for the agent, and which agent
   */
  CompletableFuture<MediaSession> open(InboundCall call, CallDecision.Connect decision);
}
