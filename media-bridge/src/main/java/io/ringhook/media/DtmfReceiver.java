package io.ringhook.media;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns a stream of RFC 4733 telephone-event packets into one {@link DtmfEvent} per key press.
 *
 * <p>All packets of one press share the RTP timestamp of its start (RFC 4733 section 2.5.1.1); the
 * end packet is sent three times (section 2.5.1.4). A press is reported on its first end packet,
 * and later packets with the same timestamp are ignored. A press whose end packets were all lost is
 * reported when the next press starts or when no packet of it has come for {@code staleNanos}.
 * Not thread-safe: it lives on the endpoint's event loop.
 */
final class DtmfReceiver {
  private static final long NONE = -1;

  private final long staleNanos;
  private long currentTimestamp = NONE;
  private long currentSsrc = NONE;
  private boolean currentReported;
  private TelephoneEvent currentEvent;
  private long lastPacketNanos;

  DtmfReceiver(long staleNanos) {
    if (staleNanos <= 0) {
      throw new IllegalArgumentException("staleNanos must be > 0, got " + staleNanos);
    }
    this.staleNanos = staleNanos;
  }

  /**
   * Accepts one telephone-event packet (already in sequence order) and passes on the key presses
   * it completes: none, the previous unfinished one, this one, or both.
   */
  void onPacket(RtpPacket packet, long nowNanos, Consumer<DtmfEvent> out) {
    Optional<TelephoneEvent> parsed = TelephoneEvent.parse(packet.payload());
    if (parsed.isEmpty()) {
      return;
    }
    TelephoneEvent event = parsed.get();
    boolean samePress = packet.timestamp() == currentTimestamp && packet.ssrc() == currentSsrc;
    if (!samePress) {
      reportUnfinished(out);
      currentTimestamp = packet.timestamp();
      currentSsrc = packet.ssrc();
      currentReported = false;
    } else if (currentReported) {
      return;
    }
    currentEvent = event;
    lastPacketNanos = nowNanos;
    if (event.end()) {
      currentReported = true;
      report(event, true, out);
    }
  }

  /** Reports a press whose end never came once it has gone quiet; call it on every pacing tick. */
  void poll(long nowNanos, Consumer<DtmfEvent> out) {
    if (currentEvent != null && !currentReported && nowNanos - lastPacketNanos >= staleNanos) {
      reportUnfinished(out);
    }
  }

  private void reportUnfinished(Consumer<DtmfEvent> out) {
    if (currentEvent != null && !currentReported) {
      currentReported = true;
      report(currentEvent, false, out);
    }
  }

  private void report(TelephoneEvent event, boolean ended, Consumer<DtmfEvent> out) {
    char digit = event.digit();
    if (digit != 0) {
      out.accept(new DtmfEvent(digit, event.duration() / 8, event.volume(), currentTimestamp, ended));
    }
  }
}
