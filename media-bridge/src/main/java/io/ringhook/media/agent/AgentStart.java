package io.ringhook.media.agent;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the agent is told about a call when its stream starts: the ids and the custom parameters.
 *
 * @param callId the call's id, sent as {@code callSid} (ringhook's own call id, not a Twilio SID)
 * @param streamSid the stream's id, sent as {@code streamSid}; see {@link #newStreamSid()}
 * @param from the caller, E.164 or {@code anonymous}; sent as the parameter {@code from_number}
 * @param to the dialed number, E.164; sent as the parameter {@code to_number}
 * @param variables the webhook's {@code dynamic_variables} (already strings), in order
 * @param accountSid sent as {@code accountSid} in {@code start} and {@code stop}; null (the usual
 *     case) leaves the field out
 * @param own ringhook's own parameters about the call ({@code metadata}, {@code webhook_failed},
 *     {@code sip_headers}, ...): after the numbers, before the variables, and winning over them
 */
record AgentStart(String callId, String streamSid, String from, String to,
    Map<String, String> variables, String accountSid, Map<String, String> own) {
  /** The parameter that carries the caller's number. */
  public static final String FROM_NUMBER = "from_number";
  /** The parameter that carries the dialed number. */
  public static final String TO_NUMBER = "to_number";

  private static final SecureRandom RANDOM = new SecureRandom();

  public AgentStart {
    requireText(callId, "callId");
    requireText(streamSid, "streamSid");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    variables = AgentMessages.copyOf(Objects.requireNonNull(variables, "variables"));
    own = AgentMessages.copyOf(Objects.requireNonNull(own, "own"));
  }

  /** A start with no parameters of ringhook's own. */
  public AgentStart(String callId, String streamSid, String from, String to,
      Map<String, String> variables, String accountSid) {
    this(callId, streamSid, from, to, variables, accountSid, Map.of());
  }

  /** A start without an account id. */
  public AgentStart(String callId, String streamSid, String from, String to,
      Map<String, String> variables) {
    this(callId, streamSid, from, to, variables, null, Map.of());
  }

  /**
   * The {@code customParameters} of the {@code start} message: {@code from_number} and
   * {@code to_number} first, then ringhook's own, then the variables. The call's own numbers and
   * facts win over variables of the same name, since they are what the network and ringhook know.
   */
  public Map<String, String> customParameters() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(FROM_NUMBER, from);
    params.put(TO_NUMBER, to);
    own.forEach(params::putIfAbsent);
    variables.forEach(params::putIfAbsent);
    return AgentMessages.copyOf(params);
  }

  /** A fresh stream id in Twilio's shape: {@code MZ} and 32 hex digits. */
  public static String newStreamSid() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    StringBuilder sb = new StringBuilder("MZ");
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }

  private static void requireText(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
