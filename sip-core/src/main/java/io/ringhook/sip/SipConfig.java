package io.ringhook.sip;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the SIP layer needs to run: where to listen, what to advertise, and who may send calls.
 *
 * @param listen     where to listen and what to advertise (the configuration file's {@code sip} section)
 * @param trunks     who may send calls; empty means loopback and private networks only
 * @param userAgent  the value of the User-Agent/Server header, e.g. {@code ringhook/0.1.0}
 * @param ackTimeout how long to wait for the ACK of our 200 OK before giving the call up with BYE
 */
public record SipConfig(Listen listen, List<Trunk> trunks, String userAgent, Duration ackTimeout) {
  public SipConfig {
    Objects.requireNonNull(listen, "listen");
    trunks = List.copyOf(trunks);
    Objects.requireNonNull(userAgent, "userAgent");
    Objects.requireNonNull(ackTimeout, "ackTimeout");
    if (listen.port() < 1 || listen.port() > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + listen.port());
    }
  }

  public SipConfig(String host, int port, Optional<String> advertise, List<Trunk> trunks, String userAgent,
                   Duration ackTimeout) {
    this(new Listen(host, port, advertise), trunks, userAgent, ackTimeout);
  }

  /** The listen address for UDP and TCP. */
  public String host() {
    return listen.host();
  }

  /** The listen port for UDP and TCP. */
  public int port() {
    return listen.port();
  }

  /** The address written into Contact and SDP, when not the listen address. */
  public Optional<String> advertise() {
    return listen.advertise();
  }

  /** The bounds on inbound TCP connections. */
  public TcpLimits tcp() {
    return listen.tcp();
  }

  /**
   * Where SIP listens, over UDP and TCP.
   *
   * @param host      the listen address, an IP literal ({@code 0.0.0.0} for every IPv4 interface)
   * @param port      the listen port (0 is not allowed: JAIN-SIP needs a real port)
   * @param advertise the address written into Contact and SDP when it is not the listen address (NAT)
   * @param tcp       the bounds on inbound TCP connections (the {@code tcp_*} keys)
   */
  public record Listen(String host, int port, Optional<String> advertise, TcpLimits tcp) {
    /** The defaults: {@code 0.0.0.0:5060}, nothing advertised, {@link TcpLimits#DEFAULTS}. */
    public static final Listen DEFAULTS = new Listen("0.0.0.0", 5060, Optional.empty());

    public Listen {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(advertise, "advertise");
      Objects.requireNonNull(tcp, "tcp");
    }

    /** With the default TCP limits. */
    public Listen(String host, int port, Optional<String> advertise) {
      this(host, port, advertise, TcpLimits.DEFAULTS);
    }
  }

  /**
   * A carrier trunk: a named set of source networks allowed to send calls.
   *
   * @param name               the trunk's name, for logs and call records
   * @param allow              CIDR blocks or single addresses, IPv4 or IPv6 (e.g. {@code 198.51.100.0/24})
   * @param defaultCountryCode the country calling code (digits, no "+") for national-format numbers
   *                           from this trunk, or empty when the trunk sends none
   * @param sipHeaders         the INVITE headers passed on to the agent: names or prefixes such as {@code X-*}
   */
  public record Trunk(String name, List<String> allow, Optional<String> defaultCountryCode, List<String> sipHeaders) {
    public Trunk {
      Objects.requireNonNull(name, "name");
      allow = List.copyOf(allow);
      Objects.requireNonNull(defaultCountryCode, "defaultCountryCode");
      sipHeaders = List.copyOf(sipHeaders);
    }

    /** A trunk that passes no header on. */
    public Trunk(String name, List<String> allow, Optional<String> defaultCountryCode) {
      this(name, allow, defaultCountryCode, List.of());
    }
  }
}
