package io.ringhook.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One plain HTTP request as {@link HttpRoutes} see it: already read whole and detached from Netty's
 * buffers, so a route may look at it from any thread.
 *
 * @param method   the method, upper case ({@code GET}, {@code PUT}, ...)
 * @param path     the raw (still percent-encoded) path, without the query
 * @param segments the path's segments after the leading '/', each percent-decoded ('+' stays '+');
 *                 {@code /v1/numbers/%2B1555} is {@code [v1, numbers, +1555]}
 * @param query    the query parameters, percent-decoded ('+' stays '+', so {@code ?from=+1555} works)
 * @param headers  the request headers (case-insensitive names)
 * @param body     the body's bytes (empty when none)
 * @param remote   the client's address
 */
public record HttpRequestView(String method, String path, List<String> segments, Map<String, List<String>> query,
                              HttpHeaders headers, byte[] body, InetSocketAddress remote) {
  public HttpRequestView {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    segments = List.copyOf(segments);
    query = Map.copyOf(query);
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(remote, "remote");
  }

  /** A header's first value. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name));
  }
}
