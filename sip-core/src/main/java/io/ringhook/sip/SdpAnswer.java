package io.ringhook.sip;

import java.util.Objects;

/**
 * The outcome of answering an SDP offer: an answer to send with the negotiated stream, or the reason
 * the offer cannot be accepted (the INVITE then gets 488 Not Acceptable Here, RFC 3261 section 13.3.1.3).
 */
public sealed interface SdpAnswer {

  /**
   * The offer is usable.
   *
   * @param sdp   the answer body (CRLF line ends) for the 200 OK
   * @param media the negotiated audio stream, for the media session
   */
  record Accepted(String sdp, MediaParams media) implements SdpAnswer {
    public Accepted {
      Objects.requireNonNull(sdp, "sdp");
      Objects.requireNonNull(media, "media");
    }
  }

  /**
   * The offer has nothing we can use, or is not SDP.
   *
   * @param warningCode the RFC 3261 warn-code for a Warning header: 304 media type not available,
   *                    302 incompatible transport protocol, 305 incompatible media format, 399 malformed
   * @param reason      what was wrong, for the Warning text and the logs
   */
  record NotAcceptable(int warningCode, String reason) implements SdpAnswer {
    public NotAcceptable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
