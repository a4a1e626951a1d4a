package io.ringhook.sip;

import io.ringhook.sip.CallEvent.AckAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.sip.message.Message;
import javax.sip.message.Request;

/**
 * One call's side of the SDP offer/answer exchange (RFC 3264): the remote offer still to be
 * answered, or our own offer awaiting its answer, the o= version, and the stream agreed so far.
 * Used only from the call's event thread.
 */
final class SdpSession {
  private final String localAddress;
  private final long sessionId;
  private long version = 1;
  private SdpDescription remoteOffer;
  private boolean awaitingAnswer;
  private MediaParams params;

  /**
   * @param offer the INVITE's SDP offer, parsed and already checked with {@link Sdp#refusal}, or empty for a
   *              late offer
   */
  SdpSession(Optional<SdpDescription> offer, String localAddress, long sessionId) {
    this.remoteOffer = offer.orElse(null);
    this.localAddress = localAddress;
    this.sessionId = sessionId;
  }

  /** Our SDP for the 200 OK: the answer to the INVITE's offer, or our offer when it had none. */
  String localDescription(int rtpPort) {
    if (remoteOffer != null) {
      SdpAnswer answer = Sdp.answer(remoteOffer, localAddress, rtpPort, sessionId, version++);
      remoteOffer = null;
      if (answer instanceof SdpAnswer.Accepted accepted) {
        params = accepted.media();
        return accepted.sdp();
      }
      throw new IllegalStateException("an offer checked at INVITE became unacceptable: " + answer);
    }
    awaitingAnswer = true;
    return Sdp.offer(localAddress, rtpPort, sessionId, version++);
  }

  /** Whether the exchange is complete, so media can run with {@link #params()}. */
  boolean complete() {
    return params != null && !awaitingAnswer;
  }

  MediaParams params() {
    return params;
  }

  /** Takes the answer from an ACK when our 2xx carried the offer (RFC 3264 section 4). */
  AckAnswer acceptAck(Request ack) {
    if (!awaitingAnswer) {
      return AckAnswer.NOT_NEEDED;
    }
    awaitingAnswer = false;
    Optional<String> body = body(ack);
    if (body.isEmpty()) {
      return AckAnswer.UNUSABLE;
    }
    try {
      params = Sdp.acceptAnswer(body.get());
      return AckAnswer.ACCEPTED;
    } catch (SdpException e) {
      return AckAnswer.UNUSABLE;
    }
  }

  /**
   * Our SDP for the 200 to a re-INVITE (RFC 3261 14.2): the answer to its offer, or a new offer of
   * ours when it had none; empty when its offer is unusable (it then gets 488 and the call goes on
   * as it was).
   */
  Optional<String> reOffer(Request reInvite, int rtpPort) {
    Optional<String> offer = body(reInvite);
    if (offer.isEmpty()) {
      awaitingAnswer = true;
      return Optional.of(Sdp.offer(localAddress, rtpPort, sessionId, version++));
    }
    SdpAnswer answer = Sdp.answer(offer.get(), localAddress, rtpPort, sessionId, version);
    if (answer instanceof SdpAnswer.Accepted accepted) {
      version++;
      params = accepted.media();
      awaitingAnswer = false;
      return Optional.of(accepted.sdp());
    }
    return Optional.empty();
  }

  static Optional<String> body(Message message) {
    byte[] raw = message.getRawContent();
    if (raw == null || raw.length == 0) {
      return Optional.empty();
    }
    return Optional.of(new String(raw, StandardCharsets.UTF_8));
  }
}
