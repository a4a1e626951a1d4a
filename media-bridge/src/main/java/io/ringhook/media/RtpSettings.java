package io.ringhook.media;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the RTP endpoints ({@code rtp:} in the YAML file).
 *
 * @param bindHost the local address RTP sockets bind to, e.g. {@code 0.0.0.0}
 * @param portMin  the lowest port of the RTP range (RTP uses the even ports)
 * @param portMax  the highest port of the RTP range
 * @param timeout  how long no RTP may come from the caller before the call is ended
 */
public record RtpSettings(String bindHost, int portMin, int portMax, Duration timeout) {
  public RtpSettings {
    List<String> problems = new ArrayList<>();
    if (bindHost == null || bindHost.isBlank()) {
      problems.add("bindHost must not be blank");
    }
    if (portMin < 1 || portMax > 65535 || portMin > portMax) {
      problems.add("ports must satisfy 1 <= port_min <= port_max <= 65535, got " + portMin + ".." + portMax);
    } else if (portMin == portMax && (portMin & 1) != 0) {
      problems.add("port range " + portMin + ".." + portMax + " holds no even port");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      problems.add("timeout must be positive, got " + timeout);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid RTP settings: " + String.join("; ", problems));
    }
  }

  /** The defaults: all interfaces, ports 20000..29999, 30 s timeout. */
  public static RtpSettings defaults() {
    return new RtpSettings("0.0.0.0", 20000, 29999, Duration.ofSeconds(30));
  }
}
