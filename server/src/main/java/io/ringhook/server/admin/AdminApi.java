package io.ringhook.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringhook.server.http.HttpReply;
import io.ringhook.server.http.HttpRequestView;
import io.ringhook.server.http.HttpRoutes;
import io.ringhook.server.live.LiveCalls;
import io.ringhook.server.records.CallQuery;
import io.ringhook.server.records.NumberEntry;
import io.ringhook.server.records.RecordStore;
import io.ringhook.webhook.WebhookTargets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on the HTTP port: {@code /healthz}, {@code /readyz}, {@code /metrics},
 * {@code /v1/numbers}, {@code /v1/calls}, {@code /v1/live-calls} and {@code /v1/stats} (see
 * docs/admin-api.md), and the web console under {@code /console/} that is its client
 * (docs/console.md). Everything that blocks (the database, the readiness check, the metrics
 * scrape) runs on the given executor, never on the event loop. Errors are {@code {"error": "..."}}
 * with a message that says what to fix.
 *
 * <p>A request is let in by the bearer token, by a console session's cookie, or (without a token
 * configured) by coming from loopback. A write that carries a session cookie must also carry the
 * session's CSRF token, and a write whose {@code Origin} is another site is refused.
 */
public final class AdminApi implements HttpRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final String WRONG_HOST = "the admin API without a token answers only requests for localhost, an IP address"
      + " or a name in http.allowed_hosts";
  private static final List<String> SAFE_METHODS = List.of("GET", "HEAD", "OPTIONS");
  static final String LOOPBACK_ONLY = "the admin API answers only on loopback; set http.admin_token"
      + " (or RINGHOOK_ADMIN_TOKEN) to serve it remotely";

  private final NumberDirectory numbers;
  private final RecordStore store;
  private final Executor executor;
  private final Auth auth;
  private final WebhookTargets webhookTargets;
  private final Supplier<List<String>> readiness;
  private final Supplier<String> metrics;
  private final Supplier<String> stats;
  private final LiveCalls live;
  private final Clock clock;
  private final Sessions sessions;
  private final Console console;
  private final WebhookTester tester;

  private AdminApi(Builder b) {
    this.numbers = b.numbers;
    this.store = b.store;
    this.executor = b.executor;
    this.auth = new Auth(b.adminToken, b.allowedHosts);
    this.webhookTargets = b.webhookTargets;
    this.readiness = b.readiness;
    this.metrics = b.metrics;
    this.stats = b.stats;
    this.live = b.live;
    this.clock = b.clock;
    this.sessions = new Sessions(b.clock);
    this.console = new Console(auth, sessions);
    this.tester = new WebhookTester(b.executor, b.clock, b.userAgent);
  }

  /**
   * Starts building the API over {@code numbers} (updated by PUT and DELETE) and {@code store}.
   *
   * @param blockingExecutor where database calls, readiness checks and scrapes run
   */
  public static Builder builder(NumberDirectory numbers, RecordStore store, Executor blockingExecutor) {
    return new Builder(numbers, store, blockingExecutor);
  }

  @Override
  public CompletionStage<HttpReply> handle(HttpRequestView r) {
    try {
      return route(r);
    } catch (ApiError e) {
      return done(e.reply());
    }
  }

  private CompletionStage<HttpReply> route(HttpRequestView r) {
    List<String> s = r.segments();
    String m = r.method();
    if (s.equals(List.of("healthz"))) {
      allow(m, "GET");
      return done(HttpReply.text(200, "ok\n"));
    }
    if (s.equals(List.of("readyz"))) {
      allow(m, "GET");
      return blocking(this::ready);
    }
    if (!SAFE_METHODS.contains(m) && !sameOrigin(r)) {
      throw new ApiError(403, "a write from another site's page is refused (its Origin is not this server)");
    }
    if (s.equals(List.of(""))) {
      return done(HttpReply.redirect("/console/"));
    }
    if (s.get(0).equals("console")) {
      return done(console.handle(r));
    }
    boolean isMetrics = s.equals(List.of("metrics"));
    if (!isMetrics && !s.get(0).equals("v1")) {
      throw ApiError.notFound("no such endpoint: " + r.path());
    }
    Optional<HttpReply> refused = authorize(r);
    if (refused.isPresent()) {
      return done(refused.get());
    }
    if (isMetrics) {
      allow(m, "GET");
      return blocking(() -> new HttpReply(200, METRICS_TYPE, metrics.get(), Map.of()));
    }
    String what = s.size() >= 2 ? s.get(1) : "";
    if (what.equals("numbers") && s.size() == 2) {
      allow(m, "GET");
      return done(Json.reply(200, NumbersJson.list(numbers.all())));
    }
    if (what.equals("numbers") && s.size() == 4 && s.get(3).equals("test-webhook")) {
      allow(m, "POST");
      String number = pathNumber(s.get(2));
      return tester.send(numbers.lookup(number).orElseThrow(() -> ApiError.notFound(
          number + " is neither in the configuration file nor set through the API")));
    }
    if (what.equals("numbers") && s.size() == 3) {
      allow(m, "GET, PUT, DELETE");
      String number = pathNumber(s.get(2));
      return switch (m) {
        case "GET" -> done(Json.reply(200, NumbersJson.detail(numbers.lookup(number).orElseThrow(
            () -> ApiError.notFound(number + " is neither in the configuration file nor set through the API")))));
        case "PUT" -> put(number, r);
        default -> blocking(() -> delete(number, r));
      };
    }
    if (what.equals("calls") && s.size() == 2) {
      allow(m, "GET");
      CallQuery q = CallParams.parse(r.query());
      return blocking(() -> calls(q));
    }
    if (what.equals("calls") && s.size() == 3) {
      allow(m, "GET");
      String id = s.get(2);
      return blocking(() -> Json.reply(200, CallsJson.call(store.call(id).orElseThrow(
          () -> ApiError.notFound("no call record with id " + id)))));
    }
    if (what.equals("calls") && s.size() == 4 && s.get(3).equals("redeliver")) {
      allow(m, "POST");
      String id = s.get(2);
      return blocking(() -> redeliver(id));
    }
    if (what.equals("agents") && s.size() == 2) {
      allow(m, "GET");
      ObjectNode o = Json.object();
      ArrayNode a = o.putArray("agents");
      numbers.agentNames().stream().sorted().forEach(a::add);
      o.put("default_agent", numbers.defaultAgent());
      return done(Json.reply(200, o));
    }
    if (what.equals("live-calls") && s.size() == 2) {
      allow(m, "GET");
      return done(HttpReply.json(200, live.snapshotJson()));
    }
    if (what.equals("live-calls") && s.size() == 3 && s.get(2).equals("stream")) {
      allow(m, "GET");
      return done(HttpReply.events(live.stream()));
    }
    if (what.equals("stats") && s.size() == 2) {
      allow(m, "GET");
      return done(HttpReply.json(200, stats.get()));
    }
    throw ApiError.notFound("no such endpoint: " + r.path());
  }

  private Optional<HttpReply> authorize(HttpRequestView r) {
    if (r.header("Authorization").isEmpty()
        && (auth.tokenConfigured() || r.remote().getAddress().isLoopbackAddress())) {
      Optional<Sessions.Session> session = sessions.find(r.header("Cookie"));
      if (session.isPresent()) {
        if (!SAFE_METHODS.contains(r.method())
            && !Console.csrfMatches(session.get(), r.header(Sessions.CSRF_HEADER))) {
          return Optional.of(HttpReply.error(403, "a write from the console must carry the page's "
              + Sessions.CSRF_HEADER + " (reload the page)"));
        }
        return Optional.empty();
      }
    }
    Auth.Decision d = auth.check(r.header("Authorization"), r.header("Host"), r.remote().getAddress());
    return switch (d) {
      case ALLOW -> Optional.empty();
      case NOT_LOOPBACK -> Optional.of(HttpReply.error(403, LOOPBACK_ONLY));
      // RFC 9110 15.5.20: not a host this server answers for (a DNS rebinding page, typically).
      case WRONG_HOST -> Optional.of(HttpReply.error(421, WRONG_HOST));
      case NO_TOKEN -> Optional.of(HttpReply.error(401, "send the admin token: Authorization: Bearer <token>")
          .withHeader("WWW-Authenticate", "Bearer realm=\"ringhook\""));
      case WRONG_TOKEN -> Optional.of(HttpReply.error(401, "wrong admin token")
          .withHeader("WWW-Authenticate", "Bearer realm=\"ringhook\", error=\"invalid_token\""));
    };
  }

  private HttpReply ready() {
    List<String> reasons;
    try {
      reasons = List.copyOf(readiness.get());
    } catch (RuntimeException e) {
      LOG.warn("the readiness check failed", e);
      reasons = List.of("the readiness check failed: " + e);
    }
    ObjectNode o = Json.object();
    o.put("ready", reasons.isEmpty());
    ArrayNode a = o.putArray("reasons");
    reasons.forEach(a::add);
    return Json.reply(reasons.isEmpty() ? 200 : 503, o);
  }

  private CompletionStage<HttpReply> put(String number, HttpRequestView r) {
    NumberEntry entry = NumbersJson.entry(number, r.body(), numbers.agentNames(),
        // The store keeps milliseconds; so does the entry, or the next refresh would see a change.
        clock.instant().truncatedTo(ChronoUnit.MILLIS),
        numbers.lookup(number).flatMap(EffectiveNumber::secret).map(io.ringhook.server.config.Secret::value));
    entry.webhookUrl().flatMap(u -> webhookTargets.urlRefusal(java.net.URI.create(u))).ifPresent(why -> {
      throw ApiError.badRequest(NumbersJson.URL + " " + why);
    });
    return blocking(() -> {
      store.putNumber(entry);
      numbers.putRuntime(entry);
      LOG.info("{} set through the admin API from {}: {}", number, r.remote().getAddress().getHostAddress(), entry);
      return Json.reply(200, NumbersJson.number(numbers.lookup(number).orElseThrow()));
    });
  }

  private HttpReply delete(String number, HttpRequestView r) throws RecordStore.StoreException {
    boolean existed = store.deleteNumber(number);
    numbers.removeRuntime(number); // also when absent: another instance may have deleted it first
    if (!existed) {
      throw ApiError.notFound(number + " has no settings set through the API (a file entry cannot be deleted here)");
    }
    LOG.info("{}'s run-time settings deleted through the admin API from {}", number,
        r.remote().getAddress().getHostAddress());
    return HttpReply.noContent();
  }

  /** Makes a call's post-call event pending again (sent within a second); 202 with the record. */
  private HttpReply redeliver(String id) throws RecordStore.StoreException {
    if (!store.redeliver(id)) {
      store.call(id).orElseThrow(() -> ApiError.notFound("no call record with id " + id));
      throw new ApiError(409, "call " + id + " has no call_ended event (its number had no call_ended_webhook_url)",
          Map.of());
    }
    return Json.reply(202, CallsJson.call(store.call(id).orElseThrow(
        () -> ApiError.notFound("no call record with id " + id))));
  }

  private HttpReply calls(CallQuery q) throws RecordStore.StoreException {
    try {
      return Json.reply(200, CallsJson.page(store.calls(q)));
    } catch (IllegalArgumentException e) { // the store refuses a cursor it did not give
      throw ApiError.badRequest(e.getMessage());
    }
  }

  /** No {@code Origin} (curl, scripts), or one naming this server as the {@code Host} header does. */
  private static boolean sameOrigin(HttpRequestView r) {
    Optional<String> origin = r.header("Origin");
    if (origin.isEmpty()) {
      return true;
    }
    String o = origin.get();
    int scheme = o.indexOf("://");
    return scheme > 0 && r.header("Host").map(h -> h.equalsIgnoreCase(o.substring(scheme + 3))).orElse(false);
  }

  private static String pathNumber(String segment) {
    try {
      return Checks.e164(segment);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("the number in the path " + e.getMessage());
    }
  }

  /** A 405 naming the allowed methods unless {@code method} is one of them. */
  static void allow(String method, String allowed) {
    if (!List.of(allowed.split(", ")).contains(method)) {
      throw new ApiError(405, method + " is not allowed here; use " + allowed, Map.of("Allow", allowed));
    }
  }

  /** Work that blocks; its reply, an {@link ApiError}'s, or a 503 when the database fails. */
  private CompletionStage<HttpReply> blocking(BlockingWork work) {
    CompletableFuture<HttpReply> f = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          f.complete(work.run());
        } catch (ApiError e) {
          f.complete(e.reply());
        } catch (RecordStore.StoreException e) {
          LOG.warn("admin API: {}", e.getMessage());
          f.complete(HttpReply.error(503, "the records database is unavailable, try again later: " + e.getMessage()));
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      // The admin pool's queue is bounded: a flood (or a hung database) gets 503, not a growing backlog.
      f.complete(HttpReply.error(503, "ringhook is busy or shutting down, try again later"));
    }
    return f;
  }

  private static CompletionStage<HttpReply> done(HttpReply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  @FunctionalInterface
  private interface BlockingWork {
    HttpReply run() throws RecordStore.StoreException;
  }

  /** Options of an {@link AdminApi}; only the three of {@link AdminApi#builder} are required. */
  public static final class Builder {
    private final NumberDirectory numbers;
    private final RecordStore store;
    private final Executor executor;
    private Optional<String> adminToken = Optional.empty();
    private List<String> allowedHosts = List.of();
    private WebhookTargets webhookTargets = WebhookTargets.DEFAULT;
    private Supplier<List<String>> readiness = List::of;
    private Supplier<String> metrics = () -> "";
    private Supplier<String> stats = () -> "{\"interval_seconds\":0,\"points\":[]}";
    private LiveCalls live = new LiveCalls(Clock.systemUTC());
    private String userAgent = "ringhook";
    private Clock clock = Clock.systemUTC();

    private Builder(NumberDirectory numbers, RecordStore store, Executor executor) {
      this.numbers = Objects.requireNonNull(numbers, "numbers");
      this.store = Objects.requireNonNull(store, "store");
      this.executor = Objects.requireNonNull(executor, "blockingExecutor");
    }

    /** The bearer token; empty (the default) serves loopback clients only. */
    public Builder adminToken(Optional<String> token) {
      this.adminToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Host names, besides IP addresses and {@code localhost}, that token-less requests may name in
     * {@code Host} (DNS rebinding defence); none by default.
     */
    public Builder allowedHosts(List<String> names) {
      this.allowedHosts = List.copyOf(names);
      return this;
    }

    /** The addresses webhook URLs set through the API may point at (link-local and metadata ones never). */
    public Builder webhookTargets(WebhookTargets targets) {
      this.webhookTargets = Objects.requireNonNull(targets, "targets");
      return this;
    }

    /**
     * Why the server is not ready (e.g. "SIP not bound", "records database unreachable",
     * "draining"); an empty list means ready. Called on the blocking executor, so it may ping the
     * database.
     */
    public Builder readiness(Supplier<List<String>> notReadyReasons) {
      this.readiness = Objects.requireNonNull(notReadyReasons, "notReadyReasons");
      return this;
    }

    /** The Prometheus text exposition for {@code GET /metrics}; called on the blocking executor. */
    public Builder metrics(Supplier<String> scrape) {
      this.metrics = Objects.requireNonNull(scrape, "scrape");
      return this;
    }

    /** The calls in progress for {@code /v1/live-calls}; by default an empty registry. */
    public Builder liveCalls(LiveCalls live) {
      this.live = Objects.requireNonNull(live, "live");
      return this;
    }

    /** The JSON of {@code GET /v1/stats} (the recent history of the meters); must not block. */
    public Builder stats(Supplier<String> statsJson) {
      this.stats = Objects.requireNonNull(statsJson, "statsJson");
      return this;
    }

    /** The {@code User-Agent} of test webhook requests, as real calls send it ({@code ringhook/<version>}). */
    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
      return this;
    }

    /** The clock stamping a number's {@code updated} and timing out console sessions. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public AdminApi build() {
      return new AdminApi(this);
    }
  }
}
