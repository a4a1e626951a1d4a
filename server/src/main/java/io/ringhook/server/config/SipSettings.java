package io.ringhook.server.config;

import io.ringhook.sip.TcpLimits;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code sip} section: where ringhook listens for SIP, over UDP and TCP.
 *
 * @param host      the listen address, an IP literal ({@code 0.0.0.0} for every IPv4 interface)
 * @param port      the listen port, 1..65535
 * @param advertise the address written into Contact and SDP when it is not the listen address (NAT)
 * @param tcp       the bounds on inbound TCP connections ({@code tcp_*} keys)
 */
public record SipSettings(String host, int port, Optional<String> advertise, TcpLimits tcp) {
  /** The defaults: {@code 0.0.0.0:5060}, nothing advertised, {@link TcpLimits#DEFAULTS}. */
  public static final SipSettings DEFAULTS = new SipSettings("0.0.0.0", 5060, Optional.empty());

  public SipSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(advertise, "advertise");
    Objects.requireNonNull(tcp, "tcp");
  }

  /** With the default TCP limits. */
  public SipSettings(String host, int port, Optional<String> advertise) {
    this(host, port, advertise, TcpLimits.DEFAULTS);
  }
}
