package io.ringhook.server.config;

import io.ringhook.media.RtpSettings;
import io.ringhook.server.config.TreeReader.Field;
import io.ringhook.server.config.TreeReader.Section;
import io.ringhook.server.config.TreeReader.Val;
import io.ringhook.server.config.YamlTree.Entry;
import io.ringhook.server.config.YamlTree.Kind;
import io.ringhook.server.config.YamlTree.MapNode;
import io.ringhook.server.config.YamlTree.Node;
import io.ringhook.sip.AdmissionSettings;
import io.ringhook.sip.SipConfig;
import io.ringhook.sip.TcpLimits;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The schema of ringhook's configuration: binds a {@link YamlTree} onto the defaults, checking every
 * key, and builds the {@link RingConfig} when nothing was wrong.
 */
final class Binder {
  static final List<String> ROOT_KEYS =
      List.of("sip", "rtp", "trunks", "http", "numbers", "webhook", "agents", "default_agent", "records", "shutdown",
          "admission", "startup", "logging");
  static final List<String> SIP_KEYS = List.of("host", "port", "advertise", "tcp_max_connections",
      "tcp_max_connections_per_source", "tcp_first_message_timeout", "tcp_idle_timeout");
  static final List<String> RTP_KEYS = List.of("host", "port_min", "port_max", "timeout");
  static final List<String> TRUNK_KEYS = List.of("name", "allow", "default_country_code", "sip_headers");
  static final List<String> HTTP_KEYS = List.of("host", "port", "admin_token", "allowed_hosts");
  static final List<String> RECORDS_KEYS = List.of("url", "user", "password", "buffer", "numbers_refresh");
  static final List<String> SHUTDOWN_KEYS = List.of("grace", "retry_after");
  static final List<String> LOGGING_KEYS = List.of("format");
  static final List<String> ADMISSION_KEYS =
      List.of("max_queue_delay", "retry_after", "source_rate", "source_burst", "source_exempt", "max_setup_time",
          "min_setups");
  static final List<String> STARTUP_KEYS = List.of("warmup", "warmup_calls");
  /** The bound of both admission waits, {@code max_queue_delay} and {@code max_setup_time}. */
  private static final Duration MAX_ADMISSION_WAIT = Duration.ofMinutes(1);
  private static final Duration MAX_WARMUP = Duration.ofMinutes(5);
  static final List<String> WEBHOOK_KEYS =
      List.of("timeout", "retries", "backoff", "max_response_bytes", "failure_response", "ca_file",
          "max_connections_per_origin", "allow_private", "on_failure", "fallback_agent", "include", "call_ended_url",
          "circuit_breaker");
  static final List<String> CIRCUIT_KEYS = List.of("failures", "window", "cool_down");
  static final List<String> NUMBER_KEYS = List.of("inbound_webhook_url", "webhook_secret", "agent",
      "webhook_timeout", "webhook_retries", "webhook_backoff", "webhook_failure_response", "webhook_h2c",
      "on_webhook_failure", "fallback_agent", "webhook_include", "call_ended_webhook_url");
  static final List<String> AGENT_KEYS = List.of("url", "connect_timeout");

  // The upper bounds keep a typo (10m for 10s) from leaving a caller ringing for minutes; the webhook
  // ones are webhook-hook's WebhookPolicy limits, so a config that loads is one the wiring accepts.
  private static final Duration MAX_RTP_TIMEOUT = Duration.ofHours(1);
  private static final Duration MAX_WEBHOOK_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(1);
  private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
  private static final int MAX_CONNECTIONS_PER_ORIGIN = 1_000_000;
  private static final Duration MAX_GRACE = Duration.ofHours(1);
  private static final int MAX_RECORDS_BUFFER = 10_000_000;
  private static final int MAX_TCP_CONNECTIONS = 1_000_000;
  private static final Duration MAX_TCP_IDLE = Duration.ofDays(1);

  private final TreeReader reader;
  private final Problems problems;
  private final Path baseDir;
  private final Map<String, String> env;

  /**
   * @param baseDir the directory relative {@code ca_file} paths are resolved against (the config file's)
   * @param env     the environment, for settings that fall back to a variable ({@code RINGHOOK_ADMIN_TOKEN})
   */
  Binder(TreeReader reader, Path baseDir, Map<String, String> env) {
    this.reader = reader;
    this.env = env;
    this.problems = reader.problems();
    this.baseDir = baseDir;
  }

  /** The {@code sip.tcp_*} keys: caps and deadlines for inbound TCP connections. */
  private TcpLimits tcpLimits(Section sipS) {
    TcpLimits d = TcpLimits.DEFAULTS;
    Field<Integer> max = sipS.read("tcp_max_connections",
        v -> Values.integer(number(v), 1, MAX_TCP_CONNECTIONS, "a count"));
    Field<Integer> perSource = sipS.read("tcp_max_connections_per_source",
        v -> Values.integer(number(v), 1, MAX_TCP_CONNECTIONS, "a count"));
    Field<Duration> first = sipS.read("tcp_first_message_timeout", v -> timeout(v, Duration.ofMinutes(10)));
    Field<Duration> idle = sipS.read("tcp_idle_timeout", v -> timeout(v, MAX_TCP_IDLE));
    try {
      return new TcpLimits(max.or(d.maxConnections()), perSource.or(d.maxPerSource()),
          first.or(d.firstMessageTimeout()), idle.or(d.idleTimeout()));
    } catch (IllegalArgumentException e) {
      Field<?> at = java.util.stream.Stream.of(perSource, max, idle, first).filter(Field::present).findFirst()
          .orElse(max);
      add(at, "sip.tcp_max_connections_per_source must not exceed "
          + "sip.tcp_max_connections, and sip.tcp_idle_timeout must not be shorter than sip.tcp_first_message_timeout");
      return d;
    }
  }

  RingConfig bind(Optional<Node> tree) {
    Section root = reader.root(tree, ROOT_KEYS);

    Section sipS = root.section("sip", SIP_KEYS);
    Field<String> sipHost = sipS.read("host", Binder::address);
    Field<Integer> sipPort = sipS.read("port", Binder::port);
    Field<String> advertise = sipS.read("advertise", v -> {
      if (Values.address(v.text()).isAnyLocalAddress()) {
        throw new IllegalArgumentException("must be the address callers reach, not a wildcard");
      }
      return v.text();
    });
    SipConfig.Listen sip = new SipConfig.Listen(sipHost.or(SipConfig.Listen.DEFAULTS.host()),
        sipPort.or(SipConfig.Listen.DEFAULTS.port()), advertise.optional(), tcpLimits(sipS));

    Section rtpS = root.section("rtp", RTP_KEYS);
    Field<String> rtpHost = rtpS.read("host", Binder::address);
    Field<Integer> portMin = rtpS.read("port_min", Binder::port);
    Field<Integer> portMax = rtpS.read("port_max", Binder::port);
    Field<Duration> rtpTimeout = rtpS.read("timeout", v -> timeout(v, MAX_RTP_TIMEOUT));
    int rtpMin = portMin.or(RtpSettings.defaults().portMin());
    int rtpMax = portMax.or(RtpSettings.defaults().portMax());
    boolean rtpRange = checkRtpRange(portMin, portMax, rtpMin, rtpMax);
    // media-bridge's RtpSettings refuses a bad range; the file's problem is listed and this stand-in never runs.
    RtpSettings rtp = new RtpSettings(rtpHost.or(sip.host()), rtpRange ? rtpMin : RtpSettings.defaults().portMin(),
        rtpRange ? rtpMax : RtpSettings.defaults().portMax(), rtpTimeout.or(RtpSettings.defaults().timeout()));

    List<TrunkSettings> trunks = trunks(root);

    Section httpS = root.section("http", HTTP_KEYS);
    Field<String> httpHost = httpS.read("host", Binder::address);
    Field<Integer> httpPort = httpS.read("port", Binder::port);
    // Trimmed: a token read from a secret file often ends in a newline the client never sends.
    Field<Secret> token = httpS.read("admin_token", true,
        v -> secret(new Val(v.text().strip(), v.kind(), v.line(), v.path(), v.shown())));
    Optional<Secret> adminToken = token.optional();
    if (!token.present() && !token.failed()) {
      adminToken = Optional.ofNullable(env.get(HttpSettings.TOKEN_ENV)).map(String::strip).filter(t -> !t.isEmpty())
          .map(Secret::new);
    }
    Field<List<Node>> hostItems = reader.list(httpS, "allowed_hosts");
    List<String> allowedHosts = new ArrayList<>();
    List<Node> hostNodes = hostItems.or(List.of());
    for (int j = 0; j < hostNodes.size(); j++) {
      reader.parse(hostNodes.get(j), Problems.index(hostItems.path(), j), false, Binder::hostName)
          .optional().ifPresent(allowedHosts::add);
    }
    HttpSettings http = new HttpSettings(httpHost.or(HttpSettings.DEFAULTS.host()),
        httpPort.or(HttpSettings.DEFAULTS.port()), adminToken, allowedHosts);
    checkPortClashes(sip, sipPort, rtpMin, rtpMax, rtp.bindHost(), portMin, http, httpPort,
        List.of(sipHost, rtpHost, httpHost));

    Map<String, AgentSettings> agents = agents(root);
    WebhookSettings webhook = webhook(root.section("webhook", WEBHOOK_KEYS), agents);
    Field<String> defaultAgent = root.read("default_agent", v -> agentRef(v, agents));
    Map<String, NumberSettings> numbers = numbers(root, webhook, agents);

    RecordsSettings records = records(root.section("records", RECORDS_KEYS));
    Section shutdownS = root.section("shutdown", SHUTDOWN_KEYS);
    Field<Duration> grace = shutdownS.read("grace", v -> Values.duration(v.text(), v.kind() == Kind.INT,
        Duration.ZERO, MAX_GRACE));
    Field<Duration> retryAfter = shutdownS.read("retry_after", v -> Values.duration(v.text(), v.kind() == Kind.INT,
        Duration.ofSeconds(1), MAX_GRACE));
    ShutdownSettings shutdown = new ShutdownSettings(grace.or(ShutdownSettings.DEFAULTS.grace()),
        retryAfter.or(ShutdownSettings.DEFAULTS.retryAfter()));
    Field<LoggingSettings.Format> format = root.section("logging", LOGGING_KEYS).read("format", v -> {
      switch (v.text()) {
        case "text":
          return LoggingSettings.Format.TEXT;
        case "json":
          return LoggingSettings.Format.JSON;
        default:
          throw new IllegalArgumentException("must be text or json");
      }
    });

    AdmissionSettings admission = admission(root.section("admission", ADMISSION_KEYS));
    Section startup = root.section("startup", STARTUP_KEYS);
    Field<Duration> warmup = startup.read("warmup",
        v -> Values.duration(v.text(), v.kind() == Kind.INT, Duration.ZERO, MAX_WARMUP));
    Field<Integer> warmupCalls = startup.read("warmup_calls", v -> Values.integer(number(v), 1, 1_000_000, "a count"));

    problems.throwIfAny();
    return new RingConfig(sip, rtp, trunks, http, numbers, webhook, agents, defaultAgent.or(RingConfig.DEMO_AGENT),
        records, shutdown, new LoggingSettings(format.or(LoggingSettings.Format.TEXT)), admission,
        new StartupSettings(warmup.or(StartupSettings.DEFAULTS.warmup()),
            warmupCalls.or(StartupSettings.DEFAULTS.warmupCalls())));
  }

  private AdmissionSettings admission(Section s) {
    AdmissionSettings d = AdmissionSettings.DEFAULTS;
    Field<Duration> delay = s.read("max_queue_delay", v -> Values.duration(v.text(), v.kind() == Kind.INT,
        Duration.ZERO, MAX_ADMISSION_WAIT));
    Field<Duration> retryAfter = s.read("retry_after", v -> Values.duration(v.text(), v.kind() == Kind.INT,
        Duration.ofSeconds(1), MAX_GRACE));
    Field<Integer> rate = s.read("source_rate", v -> Values.integer(v.text(), 0, 1_000_000, "INVITEs a second"));
    Field<Integer> burst = s.read("source_burst", v -> Values.integer(v.text(), 1, 1_000_000, "INVITEs"));
    Field<List<Node>> exemptItems = reader.list(s, "source_exempt");
    Field<Duration> setupTime = s.read("max_setup_time", v -> Values.duration(v.text(), v.kind() == Kind.INT,
        Duration.ZERO, MAX_ADMISSION_WAIT));
    Field<Integer> minSetups = s.read("min_setups", v -> Values.integer(v.text(), 0, 1_000_000, "a count"));
    List<String> exempt = new ArrayList<>();
    List<Node> nodes = exemptItems.or(List.of());
    for (int j = 0; j < nodes.size(); j++) {
      reader.parse(nodes.get(j), Problems.index(exemptItems.path(), j), false, v -> Values.cidr(v.text()))
          .optional().ifPresent(exempt::add);
    }
    return new AdmissionSettings(delay.or(d.maxQueueDelay()), retryAfter.or(d.retryAfter()),
        rate.or((int) d.sourceRate()), burst.or(d.sourceBurst()), exemptItems.present() ? exempt : d.sourceExempt(),
        setupTime.or(d.maxSetupTime()), minSetups.or(d.minSetups()));
  }

  private RecordsSettings records(Section s) {
    RecordsSettings d = RecordsSettings.DEFAULTS;
    Field<String> url = s.read("url", v -> {
      if (!v.text().startsWith("jdbc:sqlite:") && !v.text().startsWith("jdbc:postgresql://")) {
        throw new IllegalArgumentException("must be a jdbc:sqlite:FILE or jdbc:postgresql://HOST[:PORT]/DB URL");
      }
      if (v.text().equals("jdbc:sqlite:")) {
        throw new IllegalArgumentException("names no file (write e.g. jdbc:sqlite:ringhook.db)");
      }
      return v.text();
    });
    Field<String> user = s.read("user", v -> {
      if (v.text().isEmpty()) {
        throw new IllegalArgumentException("must not be empty");
      }
      return v.text();
    });
    Field<Secret> password = s.read("password", true, Binder::secret);
    Field<Integer> buffer = s.read("buffer", v -> Values.integer(number(v), 1, MAX_RECORDS_BUFFER, "a count"));
    Field<Duration> refresh = s.read("numbers_refresh", v -> Values.duration(v.text(), v.kind() == Kind.INT,
        Duration.ofMillis(100), Duration.ofHours(1)));
    return new RecordsSettings(url.or(d.url()), user.optional(), password.optional(), buffer.or(d.buffer()),
        refresh.or(d.numbersRefresh()));
  }

  private static Secret secret(Val v) {
    if (v.text().isEmpty()) {
      throw new IllegalArgumentException("must not be empty (leave the key out for none)");
    }
    return new Secret(v.text());
  }

  /** Whether {@code portMin..portMax} is a usable RTP range; lists the problem when the file made it not. */
  private boolean checkRtpRange(Field<Integer> min, Field<Integer> max, int portMin, int portMax) {
    boolean usable = portMax >= portMin && (portMin != portMax || portMin % 2 == 0);
    if (min.failed() || max.failed()) {
      return usable;
    }
    if (portMax < portMin) {
      add(max.present() ? max : min, "must not be below port_min (" + portMin + ")");
    } else if (portMin == portMax && portMin % 2 != 0) {
      add(max.present() ? max : min, "the range " + portMin + ".." + portMax
          + " holds no even port (RTP uses even ports, RFC 3550 section 11)");
    }
    return usable;
  }

  /** SIP and HTTP both listen on TCP, SIP and RTP both on UDP: the same port on overlapping hosts clashes. */
  private void checkPortClashes(SipConfig.Listen sip, Field<Integer> sipPort, int rtpMin, int rtpMax, String rtpHost,
                                Field<Integer> portMin, HttpSettings http, Field<Integer> httpPort,
                                List<Field<String>> hosts) {
    if (sipPort.failed() || portMin.failed() || httpPort.failed() || hosts.stream().anyMatch(Field::failed)) {
      return;
    }
    if (sip.port() == http.port() && overlap(sip.host(), http.host())) {
      add(httpPort.present() ? httpPort : sipPort, "clashes with " + (httpPort.present() ? "sip.port" : "http.port")
          + " " + sip.port() + " (both listen on TCP)");
    }
    if (sip.port() >= rtpMin && sip.port() <= rtpMax && overlap(sip.host(), rtpHost)) {
      add(portMin.present() ? portMin : sipPort, "the RTP ports " + rtpMin + ".." + rtpMax
          + " include sip.port " + sip.port() + " (both listen on UDP)");
    }
  }

  private static boolean overlap(String a, String b) {
    InetAddress x = Values.address(a);
    InetAddress y = Values.address(b);
    return x.isAnyLocalAddress() || y.isAnyLocalAddress() || x.equals(y);
  }

  /** Retries need a pause to take from {@code backoff}; an empty list is only right without retries. */
  private void checkBackoff(Field<Integer> retries, Field<List<Duration>> backoff, int defaultRetries,
                            List<Duration> defaultBackoff, String backoffKey) {
    if (retries.failed() || backoff.failed()) {
      return;
    }
    if (retries.or(defaultRetries) > 0 && backoff.or(defaultBackoff).isEmpty()) {
      add(backoff.present() ? backoff : retries, "retries need at least one backoff pause (write "
          + backoffKey + ": [0ms] for none)");
    }
  }

  private List<TrunkSettings> trunks(Section root) {
    if (root.entry("trunks").map(e -> TreeReader.isNull(e.value())).orElse(true)) {
      return List.of(); // "trunks:" with nothing under it, like an empty section, means none
    }
    Field<List<Node>> items = reader.list(root, "trunks");
    List<TrunkSettings> trunks = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    List<Node> list = items.or(List.of());
    for (int i = 0; i < list.size(); i++) {
      Section t = reader.section(list.get(i), Problems.index("trunks", i), TRUNK_KEYS);
      if (!(list.get(i) instanceof MapNode)) {
        continue; // already reported; its keys cannot be looked at
      }
      Field<String> name = t.read("name", v -> Values.name(v.text()));
      if (name.present()) {
        Integer first = names.putIfAbsent(name.value(), i);
        if (first != null) {
          add(name, "duplicate trunk name (also trunks[" + first + "])");
        }
      } else if (!name.failed()) {
        t.missing("name", "every trunk needs a name, for logs and call records");
      }
      Field<List<Node>> allowItems = reader.list(t, "allow");
      List<String> allow = new ArrayList<>();
      List<Node> nodes = allowItems.or(List.of());
      for (int j = 0; j < nodes.size(); j++) {
        reader.parse(nodes.get(j), Problems.index(allowItems.path(), j), false, v -> Values.cidr(v.text()))
            .optional().ifPresent(allow::add);
      }
      if (!allowItems.failed() && nodes.isEmpty()) {
        if (allowItems.present()) {
          add(allowItems, "must list at least one address or CIDR block");
        } else {
          t.missing("allow", "every trunk needs the addresses or CIDR blocks it sends from");
        }
      }
      Field<String> cc = t.read("default_country_code", v -> Values.countryCode(v.text()));
      List<String> headers = new ArrayList<>();
      if (t.entry("sip_headers").isPresent()) {
        Field<List<Node>> headerItems = reader.list(t, "sip_headers");
        List<Node> hs = headerItems.or(List.of());
        for (int j = 0; j < hs.size(); j++) {
          reader.parse(hs.get(j), Problems.index(headerItems.path(), j), false,
              v -> io.ringhook.sip.SipHeaderFilter.check(v.text())).optional().ifPresent(headers::add);
        }
      }
      trunks.add(new TrunkSettings(name.or("trunk-" + i), allow, cc.optional(), headers));
    }
    return trunks;
  }

  private WebhookSettings webhook(Section s, Map<String, AgentSettings> agents) {
    WebhookSettings d = WebhookSettings.DEFAULTS;
    Field<Duration> timeout = s.read("timeout", v -> timeout(v, MAX_WEBHOOK_TIMEOUT));
    Field<Integer> retries = s.read("retries", Binder::retries);
    Field<List<Duration>> backoff = backoff(s, "backoff");
    checkBackoff(retries, backoff, d.retries(), d.backoff(), "backoff");
    Field<Integer> maxBytes = s.read("max_response_bytes",
        v -> Values.integer(number(v), 1, MAX_RESPONSE_BYTES, "a size in bytes"));
    Field<Integer> failure = s.read("failure_response", Binder::failureResponse);
    Field<Path> caFile = s.read("ca_file", this::readableFile);
    Field<Boolean> allowPrivate = s.read("allow_private", v -> {
      if (v.kind() != Kind.BOOL) {
        throw new IllegalArgumentException("must be true or false");
      }
      return Boolean.parseBoolean(v.text());
    });
    Field<WebhookSettings.OnFailure> onFailure = s.read("on_failure", Binder::onFailure);
    Field<String> fallback = s.read("fallback_agent", v -> agentRef(v, agents));
    checkFallback(fallback, onFailure.or(d.onFailure()), "on_failure");
    Field<java.util.Set<WebhookSettings.Include>> include = include(s, "include");
    Field<URI> callEnded = s.read("call_ended_url", v -> Values.url(v.text(), Values.HTTP_SCHEMES));
    Field<Integer> maxConnections = s.read("max_connections_per_origin",
        v -> Values.integer(number(v), 1, MAX_CONNECTIONS_PER_ORIGIN, "a count"));
    return new WebhookSettings(timeout.or(d.timeout()), retries.or(d.retries()), backoff.or(d.backoff()),
        maxBytes.or(d.maxResponseBytes()), failure.or(d.failureResponse()), caFile.optional(),
        maxConnections.or(d.maxConnectionsPerOrigin()), false, allowPrivate.or(d.allowPrivate()),
        onFailure.or(d.onFailure()), fallback.optional(), include.or(d.include()), callEnded.optional(),
        circuitBreaker(s));
  }

  /** The opt-in {@code circuit_breaker} section: present (even empty) turns it on with its defaults. */
  private Optional<CircuitBreakerSettings> circuitBreaker(Section webhook) {
    if (webhook.entry("circuit_breaker").isEmpty()) {
      return Optional.empty();
    }
    CircuitBreakerSettings d = CircuitBreakerSettings.DEFAULTS;
    Section s = webhook.section("circuit_breaker", CIRCUIT_KEYS);
    Field<Integer> failures = s.read("failures", v -> Values.integer(number(v), 2, 1000, "a count"));
    Field<Duration> window = s.read("window", v -> timeout(v, Duration.ofHours(1)));
    Field<Duration> coolDown = s.read("cool_down", v -> timeout(v, Duration.ofHours(1)));
    return Optional.of(new CircuitBreakerSettings(failures.or(d.failures()), window.or(d.window()),
        coolDown.or(d.coolDown())));
  }

  /** A fallback agent only matters to calls connected when the webhook failed. */
  private void checkFallback(Field<String> fallback, WebhookSettings.OnFailure onFailure, String key) {
    if (fallback.present() && onFailure != WebhookSettings.OnFailure.CONNECT) {
      add(fallback, "has no effect unless " + key + " is connect (a failed call is rejected)");
    }
  }

  private static WebhookSettings.OnFailure onFailure(Val v) {
    for (WebhookSettings.OnFailure f : WebhookSettings.OnFailure.values()) {
      if (f.value().equals(v.text())) {
        return f;
      }
    }
    throw new IllegalArgumentException("must be reject or connect");
  }

  /** A list of body fields to add: {@code sip_headers}, {@code call_id}, {@code trunk}. */
  private Field<java.util.Set<WebhookSettings.Include>> include(Section s, String key) {
    Field<List<Node>> items = reader.list(s, key);
    if (!items.present()) {
      return Field.absent(items.path(), items.line());
    }
    java.util.Set<WebhookSettings.Include> out = java.util.EnumSet.noneOf(WebhookSettings.Include.class);
    List<String> names = java.util.Arrays.stream(WebhookSettings.Include.values())
        .map(WebhookSettings.Include::value).toList();
    boolean failed = false;
    for (int i = 0; i < items.value().size(); i++) {
      Field<WebhookSettings.Include> f = reader.parse(items.value().get(i), Problems.index(items.path(), i), false,
          v -> {
            for (WebhookSettings.Include inc : WebhookSettings.Include.values()) {
              if (inc.value().equals(v.text())) {
                return inc;
              }
            }
            String hint = Values.didYouMean(v.text(), names).map(k -> "did you mean \"" + k + "\"? ").orElse("");
            throw new IllegalArgumentException("is not a field ringhook can add (" + hint + "known: "
                + String.join(", ", names) + ")");
          });
      failed |= f.failed();
      f.optional().ifPresent(out::add);
    }
    return failed ? Field.failed(items.path(), items.line()) : new Field<>(out, false, items.line(), items.path(), null);
  }

  private Field<List<Duration>> backoff(Section s, String key) {
    Field<List<Node>> items = reader.list(s, key);
    if (!items.present()) {
      return Field.absent(items.path(), items.line());
    }
    List<Duration> out = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < items.value().size(); i++) {
      Field<Duration> d = reader.parse(items.value().get(i), Problems.index(items.path(), i), false,
          v -> Values.duration(v.text(), v.kind() == Kind.INT, Duration.ZERO, MAX_BACKOFF));
      failed |= d.failed();
      d.optional().ifPresent(out::add);
    }
    return failed ? Field.failed(items.path(), items.line()) : new Field<>(out, false, items.line(), items.path(), null);
  }

  private Map<String, AgentSettings> agents(Section root) {
    Map<String, AgentSettings> agents = new LinkedHashMap<>();
    for (Entry e : mapEntries(root, "agents")) {
      String path = Problems.child("agents", e.key());
      boolean nameOk = checkKey(e, path, Values::name);
      if (RingConfig.BUILT_IN_AGENTS.contains(e.key())) {
        problems.add(e.line(), path, null, "\"" + e.key() + "\" is the built-in agent; give yours another name");
        nameOk = false;
      }
      Section a = reader.section(e.value(), path, AGENT_KEYS);
      if (!(e.value() instanceof MapNode) && !TreeReader.isNull(e.value())) {
        continue; // already reported
      }
      Field<URI> url = a.read("url", v -> Values.url(v.text(), Values.WS_SCHEMES));
      if (!url.present() && !url.failed()) {
        a.missing("url", "every agent needs its ws:// or wss:// URL");
      }
      Field<Duration> connect = a.read("connect_timeout", v -> timeout(v, MAX_CONNECT_TIMEOUT));
      if (nameOk && url.present()) {
        agents.put(e.key(), new AgentSettings(e.key(), url.value(),
            connect.or(AgentSettings.DEFAULT_CONNECT_TIMEOUT)));
      } else if (nameOk) {
        agents.put(e.key(), null); // known, so references to it are not reported twice
      }
    }
    return agents;
  }

  private Map<String, NumberSettings> numbers(Section root, WebhookSettings defaults, Map<String, AgentSettings> agents) {
    Map<String, NumberSettings> numbers = new LinkedHashMap<>();
    for (Entry e : mapEntries(root, "numbers")) {
      String path = Problems.child("numbers", e.key());
      boolean keyOk = checkKey(e, path, Values::e164);
      Section n = reader.section(e.value(), path, NUMBER_KEYS);
      Field<URI> url = n.read("inbound_webhook_url", v -> Values.url(v.text(), Values.HTTP_SCHEMES));
      url.optional().flatMap(defaults.targets()::urlRefusal).ifPresent(why -> add(url, why));
      Field<Secret> secret = n.read("webhook_secret", true, v -> {
        if (v.text().isEmpty()) {
          throw new IllegalArgumentException("must not be empty (leave the key out to send unsigned requests)");
        }
        return new Secret(v.text());
      });
      Field<String> agent = n.read("agent", v -> agentRef(v, agents));
      Field<Duration> timeout = n.read("webhook_timeout", v -> timeout(v, MAX_WEBHOOK_TIMEOUT));
      Field<Integer> retries = n.read("webhook_retries", Binder::retries);
      Field<List<Duration>> backoff = backoff(n, "webhook_backoff");
      if (retries.present() || backoff.present()) {
        checkBackoff(retries, backoff, defaults.retries(), defaults.backoff(), "webhook_backoff");
      }
      Field<Integer> failure = n.read("webhook_failure_response", Binder::failureResponse);
      Field<Boolean> h2c = n.read("webhook_h2c", Binder::bool);
      if (h2c.present() && h2c.value() && url.present() && !url.value().getScheme().equals("http")) {
        add(h2c, "only applies to an http:// inbound_webhook_url (https:// negotiates HTTP/2 by ALPN)");
      }
      Field<WebhookSettings.OnFailure> onFailure = n.read("on_webhook_failure", Binder::onFailure);
      Field<String> fallback = n.read("fallback_agent", v -> agentRef(v, agents));
      checkFallback(fallback, onFailure.or(defaults.onFailure()), "on_webhook_failure");
      Field<java.util.Set<WebhookSettings.Include>> include = include(n, "webhook_include");
      Field<URI> callEnded = n.read("call_ended_webhook_url", v -> Values.url(v.text(), Values.HTTP_SCHEMES));
      if (!url.present() && !url.failed()) {
        for (Field<?> f : List.of(timeout, retries, backoff, failure, h2c, onFailure, fallback, include)) {
          if (f.present()) {
            add(f, "has no effect without inbound_webhook_url (calls to this number make no webhook request)");
          }
        }
        if (secret.present() && !callEnded.present() && defaults.callEndedUrl().isEmpty()) {
          add(secret, "has no effect without inbound_webhook_url (calls to this number make no webhook request)");
        }
      }
      WebhookSettings w = new WebhookSettings(timeout.or(defaults.timeout()), retries.or(defaults.retries()),
          backoff.or(defaults.backoff()), defaults.maxResponseBytes(), failure.or(defaults.failureResponse()),
          defaults.caFile(), defaults.maxConnectionsPerOrigin(), h2c.or(false), defaults.allowPrivate(),
          onFailure.or(defaults.onFailure()),
          fallback.optional().or(defaults::fallbackAgent), include.or(defaults.include()),
          callEnded.optional().or(defaults::callEndedUrl), defaults.circuitBreaker());
      if (keyOk) {
        numbers.put(e.key(), new NumberSettings(e.key(), url.optional(), secret.optional(), agent.optional(), w));
      }
    }
    return numbers;
  }

  /** The entries of a mapping-valued key such as {@code numbers}; absent or empty gives none. */
  private List<Entry> mapEntries(Section root, String key) {
    Optional<Entry> e = root.entry(key);
    if (e.isEmpty() || TreeReader.isNull(e.get().value())) {
      return List.of();
    }
    if (e.get().value() instanceof MapNode m) {
      return m.entries();
    }
    problems.add(e.get().value().line(), key, null, "must be a mapping keyed by "
        + (key.equals("numbers") ? "E.164 number" : "name") + ", not " + TreeReader.describe(e.get().value()));
    return List.of();
  }

  private boolean checkKey(Entry e, String path, Function<String, ?> check) {
    try {
      check.apply(e.key());
      return true;
    } catch (IllegalArgumentException ex) {
      problems.add(e.line(), path, null, "key " + ex.getMessage());
      return false;
    }
  }

  /** An agent name that exists: a built-in agent (demo, echo) or a key of {@code agents}. */
  private static String agentRef(Val v, Map<String, AgentSettings> agents) {
    if (RingConfig.BUILT_IN_AGENTS.contains(v.text()) || agents.containsKey(v.text())) {
      return v.text();
    }
    TreeSet<String> known = new TreeSet<>(agents.keySet());
    known.addAll(RingConfig.BUILT_IN_AGENTS);
    String hint = Values.didYouMean(v.text(), known).map(k -> "did you mean \"" + k + "\"? ").orElse("");
    throw new IllegalArgumentException("no such agent (" + hint + "known: " + String.join(", ", known) + ")");
  }

  private Path readableFile(Val v) {
    if (v.text().isEmpty()) {
      throw new IllegalArgumentException("must be a file path");
    }
    Path p = baseDir.resolve(v.text()).normalize();
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("no such file: " + p);
    }
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException("file is not readable: " + p);
    }
    return p;
  }

  private void add(Field<?> f, String message) {
    problems.add(f.line(), f.path(), f.shown(), message);
  }

  /** A DNS name for {@code http.allowed_hosts}, e.g. {@code ringhook.internal}; lower-cased. */
  private static String hostName(Val v) {
    String h = v.text().trim().toLowerCase(java.util.Locale.ROOT);
    if (!h.matches("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
      throw new IllegalArgumentException("not a host name (like ringhook.internal; no port, no scheme)");
    }
    return h;
  }

  private static String address(Val v) {
    Values.address(v.text());
    return v.text();
  }

  private static int port(Val v) {
    return Values.integer(number(v), 1, 65535, "a port number");
  }

  private static int retries(Val v) {
    return Values.integer(number(v), 0, 10, "a count");
  }

  private static boolean bool(Val v) {
    if (v.kind() != Kind.BOOL) {
      throw new IllegalArgumentException("must be true or false");
    }
    return Boolean.parseBoolean(v.text());
  }

  private static int failureResponse(Val v) {
    return Values.integer(number(v), 400, 699, "a SIP final response code");
  }

  private static Duration timeout(Val v, Duration max) {
    return Values.duration(v.text(), v.kind() == Kind.INT, Duration.ofMillis(1), max);
  }

  /** The text of a value that should be a whole number; YAML floats and booleans are not. */
  private static String number(Val v) {
    if (v.kind() == Kind.FLOAT || v.kind() == Kind.BOOL) {
      throw new IllegalArgumentException("must be a whole number");
    }
    return v.text();
  }
}
