package io.ringhook.media;

/**
 * Counters of one {@link RtpEndpoint}, for logs and call records.
 *
 * @param packetsReceived  valid RTP packets accepted from the caller
 * @param packetsSent      RTP packets sent to the caller
 * @param malformed        datagrams that were not valid RTP
 * @param foreignSource    packets from an address other than the one the stream is latched to
 * @param unexpectedType   packets with a payload type that was not negotiated
 * @param duplicates       packets received twice
 * @param late             packets that arrived after their place in the stream had passed
 * @param lost             sequence numbers skipped because their packet never came in time
 * @param dtmfDigits       key presses reported
 * @param outboundDropped  bytes of outgoing audio dropped because the queue was full
 * @param outboundStale    bytes of outgoing audio dropped because their 20 ms slot had passed more
 *                         than {@value Pacer#MAX_LATENESS_MILLIS} ms ago (the pacer was stalled)
 */
record RtpStats(long packetsReceived, long packetsSent, long malformed, long foreignSource,
                       long unexpectedType, long duplicates, long late, long lost, long dtmfDigits,
                       long outboundDropped, long outboundStale) {
  static final RtpStats ZERO = new RtpStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
