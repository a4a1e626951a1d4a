package io.ringhook.webhook;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The inbound call webhook client: asks a customer's webhook whether, and with which variables, a
 * ringing call is connected, retrying as its {@link WebhookPolicy} says.
 *
 * <p>Create one per server and share it: it keeps one connection pool per origin (scheme, host,
 * port) on Netty event loops, so thousands of calls can wait at once without a thread each. An
 * {@code https} origin that offers HTTP/2 by ALPN gets all its attempts multiplexed as streams over
 * a few connections; otherwise HTTP/1.1 keep-alive connections carry one request at a time. {@link
 * #close()} it at shutdown.
 */
public interface WebhookClient extends AutoCloseable {

  /**
   * Starts asking the webhook about one call; returns at once, never blocks.
   *
   * <p>The future completes with a {@link WebhookResult} (a failed webhook is a {@link
   * WebhookResult.Failure}, not an exception), on a Netty event-loop thread: dependent stages must
   * not block. It completes exceptionally only when the client is closed meanwhile. When the caller
   * hangs up, {@code cancel(true)} the future: the request in flight is aborted (its connection
   * closed) and no further attempt or backoff follows.
   */
  default CompletableFuture<WebhookResult> call(WebhookRequest request, WebhookPolicy policy) {
    return call(request, policy, AttemptListener.NONE);
  }

  /**
   * Starts asking the webhook about one call, as {@link #call(WebhookRequest, WebhookPolicy)}
   * does, and tells {@code listener} of each attempt as it ends: success, failure, or aborted by
   * {@code cancel(true)} or {@link #close()} (then with {@link FailureReason#CANCELLED}). The
   * listener runs on a Netty event-loop thread and must not block.
   */
  CompletableFuture<WebhookResult> call(
      WebhookRequest request, WebhookPolicy policy, AttemptListener listener);

  /** The connection pools as they are now, for metrics; cheap and never blocks. */
  PoolStats poolStats();

  /**
   * A snapshot of the client's connection pools.
   *
   * @param connectionsOpened connections opened since the client was built
   * @param origins           one entry per origin with a pool
   */
  record PoolStats(long connectionsOpened, List<OriginStats> origins) {
    public PoolStats {
      origins = List.copyOf(origins);
    }

    /** Attempts waiting for a connection, all origins together. */
    public int waiters() {
      return origins.stream().mapToInt(OriginStats::waiters).sum();
    }

    /** Connections open (or opening), all origins together. */
    public int connections() {
      return origins.stream().mapToInt(OriginStats::connections).sum();
    }
  }

  /**
   * One origin's pool.
   *
   * @param origin      scheme, host and port, e.g. {@code https://crm.example.com}
   * @param protocol    {@code h2}, {@code http/1.1}, or {@code unknown} before the first https
   *                    connection's ALPN
   * @param connections connections open or opening
   * @param idle        HTTP/1.1 connections open and unused
   * @param streams     HTTP/2 streams in flight
   * @param waiters     attempts waiting because every connection the origin may have is busy
   */
  record OriginStats(
      String origin, String protocol, int connections, int idle, int streams, int waiters) {}

  /**
   * Closes every pooled connection, completes calls still running exceptionally, and shuts the
   * event loops down when the client created them. Does not wait.
   */
  @Override
  void close();

  /**
   * The default most connections per origin: above the calls one server rings at once, so that
   * it is the server's capacity, not this limit, that binds first (HTTP/2 origins need far fewer).
   */
  int DEFAULT_MAX_CONNECTIONS_PER_ORIGIN = 16384;

  static Builder builder() {
    return new Builder();
  }

  /** Settings shared by every call of one client; all optional. */
  final class Builder {
    EventLoopGroup group;
    Clock clock = Clock.systemUTC();
    String version = "dev";
    Path extraCaFile;
    int maxConnectionsPerOrigin = DEFAULT_MAX_CONNECTIONS_PER_ORIGIN;
    Duration idleTimeout = Duration.ofSeconds(30);
    WebhookTargets targets = WebhookTargets.DEFAULT;
    LongSupplier ticker = System::nanoTime;

    Builder() {}

    /**
     * Runs on a shared event loop group (NIO or native epoll: the channels follow its transport) which
     * the client will not shut down. Without one, the client creates a small NIO group of its own.
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
      return this;
    }

    /** The clock for attempt start times and signature timestamps (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The nanosecond ticker that times attempts and waits (default {@link System#nanoTime}). */
    Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The version sent as {@code User-Agent: ringhook/<version>}. */
    public Builder version(String version) {
      Objects.requireNonNull(version, "version");
      if (version.isEmpty() || !version.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException(
            "version must be non-empty printable ASCII without spaces, got \"" + version + "\"");
      }
      this.version = version;
      return this;
    }

    /**
     * A PEM file of extra CA certificates trusted for HTTPS on top of the JDK's trust store, for
     * webhooks behind a private CA.
     */
    public Builder extraCaFile(Path pemFile) {
      this.extraCaFile = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /**
     * The most connections open to one origin at once (default {@value
     * #DEFAULT_MAX_CONNECTIONS_PER_ORIGIN}). Past it, attempts wait for a connection; the wait is
     * not charged to their deadline (see {@link WebhookResult.Attempt#queued()}).
     */
    public Builder maxConnectionsPerOrigin(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnectionsPerOrigin must be >= 1, got " + max);
      }
      this.maxConnectionsPerOrigin = max;
      return this;
    }

    /**
     * How long a pooled keep-alive connection may sit unused before it is closed, and an origin
     * unused before its pool is dropped (default 30 s).
     */
    public Builder idleTimeout(Duration idleTimeout) {
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalArgumentException when the extra CA file cannot be read or holds no
     *     certificate
     */
    /**
     * Which addresses the webhooks may reach ({@link WebhookTargets#DEFAULT}: all but link-local
     * and cloud metadata ones), checked on the resolved address of every connection.
     */
    public Builder targets(WebhookTargets targets) {
      this.targets = Objects.requireNonNull(targets, "targets");
      return this;
    }

    public WebhookClient build() {
      return new NettyWebhookClient(this);
    }
  }
}
