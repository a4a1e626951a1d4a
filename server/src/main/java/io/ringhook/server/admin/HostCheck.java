package io.ringhook.server.admin;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The defence against DNS rebinding for the token-less admin API: a request trusted because it
 * comes from loopback must also name, in {@code Host}, an IP address, {@code localhost} or one of
 * {@code http.allowed_hosts}. A browser page on another site that reaches the port through a name
 * it re-pointed at 127.0.0.1 sends that name, and is refused.
 */
final class HostCheck {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern PORT = Pattern.compile(":\\d{1,5}$");

  private final Set<String> allowed;

  HostCheck(List<String> allowedHosts) {
    this.allowed = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Whether {@code hostHeader} may reach the loopback-trusting admin API. A request without one
   * passes: HTTP/1.1 requires it and every browser sends it, so only non-browser clients omit it.
   */
  boolean accepts(Optional<String> hostHeader) {
    if (hostHeader.isEmpty()) {
      return true;
    }
    String host = hostHeader.get().trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 && (end == host.length() - 1 || PORT.matcher(host.substring(end + 1)).matches());
    }
    host = PORT.matcher(host).replaceFirst("");
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return IPV4.matcher(host).matches() || host.equals("localhost") || allowed.contains(host);
  }
}
