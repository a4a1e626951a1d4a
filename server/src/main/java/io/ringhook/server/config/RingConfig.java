package io.ringhook.server.config;

import io.ringhook.media.RtpSettings;
import io.ringhook.sip.AdmissionSettings;
import io.ringhook.sip.SipConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * ringhook's whole configuration: the YAML file's content over the embedded defaults, validated.
 *
 * <p>Load it with {@link ConfigLoader}; every field is immutable and {@link #toString()} (like
 * {@link #dump()}) never shows a secret.
 *
 * @param sip          where SIP is received
 * @param rtp          where audio is received, and the RTP timeout
 * @param trunks       who may send calls; empty means loopback and private networks
 * @param http         where the admin HTTP and the built-in demo agent are served
 * @param numbers      per dialed number (E.164 key), in file order
 * @param webhook      the default webhook settings (each number's effective ones are in {@code numbers})
 * @param agents       the configured agents by name, in file order; the built-in {@value #DEMO_AGENT}
 *                     and {@value #ECHO_AGENT} are not among them
 * @param defaultAgent the agent for numbers that name none: a built-in agent or a key of {@code agents}
 * @param records      where call records and run-time number settings are stored
 * @param shutdown     the graceful drain on SIGTERM
 * @param logging      the log format
 * @param admission    when new INVITEs are turned away at once with 503 (overload, per-source limit)
 * @param startup      the warm-up before SIP listens
 */
public record RingConfig(SipConfig.Listen sip, RtpSettings rtp, List<TrunkSettings> trunks, HttpSettings http,
                         Map<String, NumberSettings> numbers, WebhookSettings webhook,
                         Map<String, AgentSettings> agents, String defaultAgent, RecordsSettings records,
                         ShutdownSettings shutdown, LoggingSettings logging, AdmissionSettings admission,
                         StartupSettings startup) {
  /** The name of the built-in agent that echoes the caller, served on the HTTP port. */
  public static final String DEMO_AGENT = "demo";

  /** The name of the built-in echo without an agent: the caller's RTP is played back to them, no WebSocket. */
  public static final String ECHO_AGENT = "echo";

  /** The names of the built-in agents, which the {@code agents} section may not use. */
  public static final Set<String> BUILT_IN_AGENTS = Set.of(DEMO_AGENT, ECHO_AGENT);

  /** How long to wait for the ACK of our 200 OK: 64 × T1, as RFC 3261 section 13.3.1.4 says. */
  public static final Duration ACK_TIMEOUT = Duration.ofMillis(64 * 500);

  public RingConfig {
    Objects.requireNonNull(sip, "sip");
    Objects.requireNonNull(rtp, "rtp");
    trunks = List.copyOf(trunks);
    Objects.requireNonNull(http, "http");
    numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
    Objects.requireNonNull(webhook, "webhook");
    agents = Collections.unmodifiableMap(new LinkedHashMap<>(agents));
    Objects.requireNonNull(defaultAgent, "defaultAgent");
    Objects.requireNonNull(records, "records");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(logging, "logging");
    Objects.requireNonNull(admission, "admission");
    Objects.requireNonNull(startup, "startup");
  }

  /** This configuration with other records settings (tests point records at their own database). */
  public RingConfig withRecords(RecordsSettings other) {
    return new RingConfig(sip, rtp, trunks, http, numbers, webhook, agents, defaultAgent, other, shutdown, logging, admission,
        startup);
  }

  /** This configuration with other start-up settings. */
  public RingConfig withStartup(StartupSettings other) {
    return new RingConfig(sip, rtp, trunks, http, numbers, webhook, agents, defaultAgent, records, shutdown, logging,
        admission, other);
  }

  /** The zero-config configuration: what ringhook runs with when no file is given. */
  public static RingConfig defaults() {
    return new RingConfig(SipConfig.Listen.DEFAULTS,
        RtpSettings.defaults(),
        List.of(), HttpSettings.DEFAULTS, Map.of(), WebhookSettings.DEFAULTS, Map.of(), DEMO_AGENT,
        RecordsSettings.DEFAULTS, ShutdownSettings.DEFAULTS, LoggingSettings.DEFAULTS, AdmissionSettings.DEFAULTS,
        StartupSettings.DEFAULTS);
  }

  /** What sip-core needs, with {@code userAgent} (e.g. {@code ringhook/0.1.0}) and {@link #ACK_TIMEOUT}. */
  public SipConfig sipConfig(String userAgent) {
    return new SipConfig(sip, trunks.stream().map(TrunkSettings::toSip).toList(), userAgent, ACK_TIMEOUT);
  }

  /** The settings of a dialed number (E.164), when it is listed. */
  public Optional<NumberSettings> number(String e164) {
    return Optional.ofNullable(numbers.get(e164));
  }

  /** The webhook settings for calls to {@code e164}: the number's own, or the {@code webhook} section's. */
  public WebhookSettings webhookFor(String e164) {
    return number(e164).map(NumberSettings::webhook).orElse(webhook);
  }

  /**
   * The name of the agent for calls to {@code e164}: the number's own, else {@code default_agent}.
   * It is one of {@link #BUILT_IN_AGENTS} or a key of {@link #agents()}.
   */
  public String agentFor(String e164) {
    return number(e164).flatMap(NumberSettings::agent).orElse(defaultAgent);
  }

  /** The effective configuration as YAML that loads back to the same, except that secrets read {@code (hidden)}. */
  public String dump() {
    return ConfigDump.yaml(this);
  }
}
