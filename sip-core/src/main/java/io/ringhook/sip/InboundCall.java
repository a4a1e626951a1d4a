package io.ringhook.sip;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The facts about one inbound call that a {@link CallDecider} and a {@link MediaBridge} need.
 *
 * @param callId     ringhook's own id for the call (unique, URL-safe), used in logs and webhook headers
 * @param sipCallId  the Call-ID header of the INVITE
 * @param trunk      the name of the trunk whose {@code allow} list matched the source address
 * @param source     where the INVITE came from
 * @param fromNumber the caller in E.164 ({@code +} and digits), {@code anonymous} when withheld, or its
 *                   bare digits when known but not convertible (an extension, a national number from a
 *                   trunk with no default country code)
 * @param toNumber   the dialed number in E.164, or the Request-URI user part as sent when it is not a number
 * @param sipHeaders the INVITE headers the trunk passes on ({@code sip_headers}), by name as sent
 */
public record InboundCall(String callId, String sipCallId, String trunk, InetSocketAddress source,
                          String fromNumber, String toNumber, Map<String, String> sipHeaders) {
  /** The SLF4J MDC key under which every log line about a call carries its {@code callId}. */
  public static final String LOG_KEY = "call_id";

  public InboundCall {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(sipCallId, "sipCallId");
    Objects.requireNonNull(trunk, "trunk");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(fromNumber, "fromNumber");
    Objects.requireNonNull(toNumber, "toNumber");
    sipHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(sipHeaders));
  }

  /** A call with no SIP headers passed on. */
  public InboundCall(String callId, String sipCallId, String trunk, InetSocketAddress source, String fromNumber,
                     String toNumber) {
    this(callId, sipCallId, trunk, source, fromNumber, toNumber, Map.of());
  }
}
