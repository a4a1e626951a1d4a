package io.ringhook.media;

import java.time.Duration;

/**
 * What an {@link RtpEndpoint} tells the consumer of a call's audio (the echo, an agent bridge).
 *
 * <p>Every method is called on the endpoint's event loop, one at a time, and must not block. An
 * exception thrown by a method is logged and otherwise ignored.
 */
public interface RtpEvents {

  /** The caller's next frame of audio, in sequence order, without duplicates. */
  void onAudio(AudioFrame frame);

  /** The caller pressed a key (RFC 4733), reported once per press. */
  default void onDtmf(DtmfEvent event) {
  }

  /**
   * A mark queued with {@link RtpEndpoint#mark} was reached: the audio queued before it has been
   * sent ({@code cleared} false), or {@link RtpEndpoint#clear} dropped it ({@code cleared} true).
   */
  default void onMark(String name, boolean cleared) {
  }

  /**
   * No RTP has come from the caller for the configured timeout while our direction receives.
   * Called at most once; the endpoint keeps running until it is closed.
   */
  void onTimeout(Duration silentFor);
}
