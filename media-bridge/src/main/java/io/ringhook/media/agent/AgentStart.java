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
 */
record AgentStart(String callId, String streamSid, String from, String to,
    Map<String, String> variables, String accountSid) {
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
  }

  /** A start without an account id. */
  public AgentStart(String callId, String streamSid, String from, String to,
      Map<String, String> variables) {
    this(callId, streamSid, from, to, variables, null);
  }

  /**
   * The {@code customParameters} of the {@code start} message: {@code from_number} and
   * {@code to_number} first, then the variables. The call's own numbers win over variables of the
   * same name, since they are what the network delivered.
   */
  public Map<String, String> customParameters() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(FROM_NUMBER, from);
    params.put(TO_NUMBER, to);
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
