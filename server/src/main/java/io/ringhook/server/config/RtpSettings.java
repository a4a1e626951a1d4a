package io.ringhook.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code rtp} section: where calls' audio is received, and when a silent call is given up.
 *
 * @param host    the bind address for RTP sockets (defaults to {@code sip.host})
 * @param portMin the lowest RTP port
 * @param portMax the highest RTP port; the range holds at least one even port (RTP uses even ports)
 * @param timeout no RTP from the caller for this long ends the call with BYE
 */
public record RtpSettings(String host, int portMin, int portMax, Duration timeout) {
  public static final int DEFAULT_PORT_MIN = 20000;
  public static final int DEFAULT_PORT_MAX = 29999;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public RtpSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(timeout, "timeout");
  }
}
