package io.ringhook.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration written back as YAML, in the file's own key names, with secrets
 * replaced by {@code (hidden)}: what {@code ringhook} would log or print to show what it runs with.
 */
final class ConfigDump {
  private static final YAMLMapper MAPPER = YAMLMapper.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build();

  private ConfigDump() {}

  static String yaml(RingConfig c) {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> sip = new LinkedHashMap<>();
    sip.put("host", c.sip().host());
    sip.put("port", c.sip().port());
    c.sip().advertise().ifPresent(a -> sip.put("advertise", a));
    sip.put("tcp_max_connections", c.sip().tcp().maxConnections());
    sip.put("tcp_max_connections_per_source", c.sip().tcp().maxPerSource());
    sip.put("tcp_first_message_timeout", Values.format(c.sip().tcp().firstMessageTimeout()));
    sip.put("tcp_idle_timeout", Values.format(c.sip().tcp().idleTimeout()));
    root.put("sip", sip);

    Map<String, Object> rtp = new LinkedHashMap<>();
    rtp.put("host", c.rtp().bindHost());
    rtp.put("port_min", c.rtp().portMin());
    rtp.put("port_max", c.rtp().portMax());
    rtp.put("timeout", Values.format(c.rtp().timeout()));
    root.put("rtp", rtp);

    root.put("trunks", c.trunks().stream().map(t -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("allow", t.allow());
      t.defaultCountryCode().ifPresent(cc -> m.put("default_country_code", cc));
      if (!t.sipHeaders().isEmpty()) {
        m.put("sip_headers", t.sipHeaders());
      }
      return m;
    }).toList());

    Map<String, Object> http = new LinkedHashMap<>();
    http.put("host", c.http().host());
    http.put("port", c.http().port());
    c.http().adminToken().ifPresent(t -> http.put("admin_token", t.toString()));
    if (!c.http().allowedHosts().isEmpty()) {
      http.put("allowed_hosts", c.http().allowedHosts());
    }
    root.put("http", http);

    Map<String, Object> numbers = new LinkedHashMap<>();
    c.numbers().forEach((key, n) -> numbers.put(key, number(n, c.webhook())));
    root.put("numbers", numbers);

    Map<String, Object> webhook = new LinkedHashMap<>();
    WebhookSettings w = c.webhook();
    webhook.put("timeout", Values.format(w.timeout()));
    webhook.put("retries", w.retries());
    webhook.put("backoff", durations(w.backoff()));
    webhook.put("max_response_bytes", w.maxResponseBytes());
    webhook.put("failure_response", w.failureResponse());
    w.caFile().ifPresent(f -> webhook.put("ca_file", f.toString()));
    webhook.put("max_connections_per_origin", w.maxConnectionsPerOrigin());
    if (!w.allowPrivate()) {
      webhook.put("allow_private", false);
    }
    webhook.put("on_failure", w.onFailure().value());
    w.fallbackAgent().ifPresent(a -> webhook.put("fallback_agent", a));
    if (!w.include().isEmpty()) {
      webhook.put("include", includes(w));
    }
    w.callEndedUrl().ifPresent(u -> webhook.put("call_ended_url", u.toString()));
    w.circuitBreaker().ifPresent(cb -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("failures", cb.failures());
      m.put("window", Values.format(cb.window()));
      m.put("cool_down", Values.format(cb.coolDown()));
      webhook.put("circuit_breaker", m);
    });
    root.put("webhook", webhook);

    Map<String, Object> agents = new LinkedHashMap<>();
    c.agents().forEach((name, a) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("url", a.url().toString());
      m.put("connect_timeout", Values.format(a.connectTimeout()));
      agents.put(name, m);
    });
    root.put("agents", agents);
    root.put("default_agent", c.defaultAgent());

    Map<String, Object> records = new LinkedHashMap<>();
    records.put("url", io.ringhook.server.records.JdbcRecordStore.redact(c.records().url()));
    c.records().user().ifPresent(u -> records.put("user", u));
    c.records().password().ifPresent(p -> records.put("password", p.toString()));
    records.put("buffer", c.records().buffer());
    records.put("numbers_refresh", Values.format(c.records().numbersRefresh()));
    root.put("records", records);

    Map<String, Object> shutdown = new LinkedHashMap<>();
    shutdown.put("grace", Values.format(c.shutdown().grace()));
    shutdown.put("retry_after", Values.format(c.shutdown().retryAfter()));
    root.put("shutdown", shutdown);
    Map<String, Object> admission = new LinkedHashMap<>();
    admission.put("max_queue_delay", Values.format(c.admission().maxQueueDelay()));
    admission.put("max_setup_time", Values.format(c.admission().maxSetupTime()));
    admission.put("min_setups", c.admission().minSetups());
    admission.put("retry_after", Values.format(c.admission().retryAfter()));
    admission.put("source_rate", (int) c.admission().sourceRate());
    admission.put("source_burst", c.admission().sourceBurst());
    admission.put("source_exempt", c.admission().sourceExempt());
    root.put("admission", admission);
    Map<String, Object> startup = new LinkedHashMap<>();
    startup.put("warmup", Values.format(c.startup().warmup()));
    startup.put("warmup_calls", c.startup().warmupCalls());
    root.put("startup", startup);
    root.put("logging", Map.of("format", c.logging().format().name().toLowerCase(java.util.Locale.ROOT)));
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write plain maps as YAML", e);
    }
  }

  /** A number's entry: its own keys, and only those webhook settings that differ from the section's. */
  private static Map<String, Object> number(NumberSettings n, WebhookSettings defaults) {
    Map<String, Object> m = new LinkedHashMap<>();
    n.inboundWebhookUrl().ifPresent(u -> m.put("inbound_webhook_url", u.toString()));
    n.webhookSecret().ifPresent(s -> m.put("webhook_secret", s.toString()));
    n.agent().ifPresent(a -> m.put("agent", a));
    WebhookSettings w = n.webhook();
    if (!w.timeout().equals(defaults.timeout())) {
      m.put("webhook_timeout", Values.format(w.timeout()));
    }
    if (w.retries() != defaults.retries()) {
      m.put("webhook_retries", w.retries());
    }
    if (!w.backoff().equals(defaults.backoff())) {
      m.put("webhook_backoff", durations(w.backoff()));
    }
    if (w.failureResponse() != defaults.failureResponse()) {
      m.put("webhook_failure_response", w.failureResponse());
    }
    if (w.h2c()) {
      m.put("webhook_h2c", true);
    }
    if (w.onFailure() != defaults.onFailure()) {
      m.put("on_webhook_failure", w.onFailure().value());
    }
    if (!w.fallbackAgent().equals(defaults.fallbackAgent())) {
      w.fallbackAgent().ifPresent(a -> m.put("fallback_agent", a));
    }
    if (!w.include().equals(defaults.include())) {
      m.put("webhook_include", includes(w));
    }
    if (!w.callEndedUrl().equals(defaults.callEndedUrl())) {
      w.callEndedUrl().ifPresent(u -> m.put("call_ended_webhook_url", u.toString()));
    }
    return m;
  }

  private static List<String> includes(WebhookSettings w) {
    return w.include().stream().sorted().map(WebhookSettings.Include::value).toList();
  }

  private static List<String> durations(List<Duration> ds) {
    return ds.stream().map(Values::format).toList();
  }
}
