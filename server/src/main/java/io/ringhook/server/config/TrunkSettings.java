package io.ringhook.server.config;

import io.ringhook.sip.SipConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code trunks}: a carrier allowed to send calls, by source address.
 *
 * @param name               the trunk's name, unique, for logs and call records
 * @param allow              addresses and CIDR blocks, IPv4 or IPv6, as written (already validated)
 * @param defaultCountryCode the country calling code (1 to 3 digits) for national-format numbers
 * @param sipHeaders         INVITE headers passed to the agent as {@code sip_headers}: names or prefixes ({@code X-*})
 */
public record TrunkSettings(String name, List<String> allow, Optional<String> defaultCountryCode,
                            List<String> sipHeaders) {
  public TrunkSettings {
    Objects.requireNonNull(name, "name");
    allow = List.copyOf(allow);
    Objects.requireNonNull(defaultCountryCode, "defaultCountryCode");
    sipHeaders = List.copyOf(sipHeaders);
  }

  /** A trunk that passes no header on. */
  public TrunkSettings(String name, List<String> allow, Optional<String> defaultCountryCode) {
    this(name, allow, defaultCountryCode, List.of());
  }

  /** This trunk as sip-core takes it. */
  public SipConfig.Trunk toSip() {
    return new SipConfig.Trunk(name, allow, defaultCountryCode, sipHeaders);
  }
}
