package io.ringhook.server.admin;

import io.ringhook.server.http.HttpReply;
import io.ringhook.server.http.HttpRequestView;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web console under {@code /console/}: HTML pages, their CSS and ES modules, and the chart
 * library's WebJar, all read from the jar once at start-up. The pages carry no data: their scripts
 * fetch it from the admin API with the session's cookie, so what the console shows is what the API
 * returns. Access follows the API's rules: without {@code http.admin_token} loopback browsers get a
 * session at once and others a 403; with one, a browser without a session is sent to the login
 * form, where the token opens a session.
 */
final class Console {
  /** Where the uPlot WebJar keeps its files; the version is the parent pom's {@code uplot.version}. */
  static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  /** Page name → its title; the page's content is {@code console/<name>.html}, its script {@code <name>.js}. */
  private static final Map<String, String> PAGES = Map.of(
      "overview", "Overview", "numbers", "Phone Numbers", "live", "Live calls", "calls", "Call history",
      "call", "Call");
  private static final List<String> ASSETS = List.of("console.css", "common.js", "overview.js", "numbers.js",
      "live.js", "calls.js", "call.js");
  /** Pages: only what they need, nothing framed, no referrer to other sites. */
  private static final Map<String, String> PAGE_HEADERS = Map.of(
      "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
          + " frame-ancestors 'none'; form-action 'self'",
      "X-Frame-Options", "DENY",
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "same-origin",
      "Cache-Control", "no-store");

  private final Auth auth;
  private final Sessions sessions;
  private final String layout;
  private final String login;
  private final Map<String, String> contents = new HashMap<>();
  private final Map<String, HttpReply> assets = new HashMap<>();

  Console(Auth auth, Sessions sessions) {
    this.auth = auth;
    this.sessions = sessions;
    this.layout = read("console/layout.html");
    this.login = read("console/login.html");
    PAGES.keySet().forEach(p -> contents.put(p, read("console/" + p + ".html")));
    for (String a : ASSETS) {
      assets.put("assets/" + a, asset(read("console/assets/" + a), a));
    }
    assets.put("vendor/uPlot.esm.js", asset(read(UPLOT + "uPlot.esm.js"), ".js"));
    assets.put("vendor/uPlot.min.css", asset(read(UPLOT + "uPlot.min.css"), ".css"));
  }

  /** A request under {@code /console} (segments {@code [console, ...]}). */
  HttpReply handle(HttpRequestView r) {
    List<String> s = r.segments();
    String rest = String.join("/", s.subList(1, s.size()));
    HttpReply asset = assets.get(rest);
    if (asset != null) {
      AdminApi.allow(r.method(), "GET");
      return asset;
    }
    if (s.size() == 1) {
      return HttpReply.redirect("/console/");
    }
    if (rest.equals("login")) {
      AdminApi.allow(r.method(), "GET, POST");
      return r.method().equals("GET") ? loginPage(r, 200, "") : logIn(r);
    }
    if (rest.equals("logout")) {
      AdminApi.allow(r.method(), "POST");
      return logOut(r);
    }
    String page = rest.isEmpty() ? "overview" : rest;
    if (!PAGES.containsKey(page) || page.equals("overview") && !rest.isEmpty()) {
      throw ApiError.notFound("no such page: " + r.path());
    }
    AdminApi.allow(r.method(), "GET");
    return page(r, page);
  }

  private HttpReply page(HttpRequestView r, String page) {
    Optional<Sessions.Session> session = sessions.find(r.header("Cookie"));
    Optional<String> setCookie = Optional.empty();
    if (auth.tokenConfigured()) {
      if (session.isEmpty()) {
        return HttpReply.redirect("/console/login");
      }
    } else if (!r.remote().getAddress().isLoopbackAddress()) {
      return html(403, login.replace("{{error}}", "The console answers only on loopback: set http.admin_token"
          + " (or RINGHOOK_ADMIN_TOKEN) to open it to other hosts.").replace("{{form}}", "hidden"));
    } else if (session.isEmpty()) {
      session = Optional.of(sessions.create()); // loopback without a token: no login, but a CSRF token all the same
      setCookie = Optional.of(Sessions.setCookie(session.get()));
    }
    String html = layout
        .replace("{{content}}", contents.get(page))
        .replace("{{title}}", PAGES.get(page))
        .replace("{{page}}", page)
        .replace("{{csrf}}", session.get().csrf())
        .replace("{{logout}}", auth.tokenConfigured() ? "" : "hidden");
    HttpReply reply = html(200, html);
    return setCookie.map(c -> reply.withHeader("Set-Cookie", c)).orElse(reply);
  }

  private HttpReply loginPage(HttpRequestView r, int status, String error) {
    if (!auth.tokenConfigured()) {
      return HttpReply.redirect("/console/");
    }
    return html(status, login.replace("{{error}}", error).replace("{{form}}", ""));
  }

  private HttpReply logIn(HttpRequestView r) {
    if (!auth.tokenConfigured()) {
      return HttpReply.redirect("/console/");
    }
    String token = form(r.body()).getOrDefault("token", "");
    if (token.isEmpty() || auth.check(Optional.of("Bearer " + token), r.remote().getAddress()) != Auth.Decision.ALLOW) {
      return loginPage(r, 401, "Wrong admin token.");
    }
    Sessions.Session s = sessions.create();
    return HttpReply.redirect("/console/").withHeader("Set-Cookie", Sessions.setCookie(s));
  }

  private HttpReply logOut(HttpRequestView r) {
    Optional<Sessions.Session> s = sessions.find(r.header("Cookie"));
    if (s.isPresent()) {
      if (!csrfMatches(s.get(), Optional.ofNullable(form(r.body()).get("csrf")))) {
        throw new ApiError(403, "log out from the console's own button (the CSRF token is missing or wrong)");
      }
      sessions.remove(s.get());
    }
    return HttpReply.redirect(auth.tokenConfigured() ? "/console/login" : "/console/")
        .withHeader("Set-Cookie", Sessions.clearCookie());
  }

  /** Whether {@code sent} is the session's CSRF token (compared in constant time). */
  static boolean csrfMatches(Sessions.Session s, Optional<String> sent) {
    return sent.isPresent() && MessageDigest.isEqual(sent.get().getBytes(StandardCharsets.UTF_8),
        s.csrf().getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> form(byte[] body) {
    Map<String, String> m = new HashMap<>();
    for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        try {
          m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw ApiError.badRequest("malformed form field");
        }
      }
    }
    return m;
  }

  private static HttpReply html(int status, String body) {
    HttpReply r = new HttpReply(status, "text/html; charset=utf-8", body, Map.of());
    for (Map.Entry<String, String> h : PAGE_HEADERS.entrySet()) {
      r = r.withHeader(h.getKey(), h.getValue());
    }
    return r;
  }

  private static HttpReply asset(String text, String name) {
    String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    return new HttpReply(200, type, text, Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff"));
  }

  private static String read(String resource) {
    try (InputStream in = Console.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the console's " + resource + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
