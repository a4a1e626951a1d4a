package io.ringhook.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The Netty implementation of {@link WebhookClient}: one bounded {@link OriginPool} per origin, held
 * in a Caffeine cache that retires origins left unused for the idle timeout (a retired pool still
 * finishes what it carries, then closes its connections).
 */
final class NettyWebhookClient implements WebhookClient {

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Clock clock;
  private final String userAgent;
  private final SslContext tls;
  private final AddressResolverGroup<InetSocketAddress> resolver;
  private final Bootstrap template;
  private final Duration idleTimeout;
  private final int maxConnectionsPerOrigin;
  private final LongSupplier ticker;
  private final Cache<Origin, OriginPool> pools;
  /** Every pool with connections or waiters, retired ones included, for the metrics. */
  private final Set<OriginPool> live = ConcurrentHashMap.newKeySet();
  private final AtomicLong openedByGone = new AtomicLong();
  private final Set<CallRun> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  NettyWebhookClient(WebhookClient.Builder b) {
    this.clock = b.clock;
    this.userAgent = "ringhook/" + b.version;
    this.idleTimeout = b.idleTimeout;
    this.maxConnectionsPerOrigin = b.maxConnectionsPerOrigin;
    this.ticker = b.ticker;
    this.tls = TlsContexts.client(b.extraCaFile);
    this.ownsGroup = b.group == null;
    this.group =
        ownsGroup
            ? new MultiThreadIoEventLoopGroup(
                2, new DefaultThreadFactory("ringhook-webhook", true), NioIoHandler.newFactory())
            : b.group;
    // The channels follow the group's transport (the server's loops are epoll where it loads).
    boolean epoll = group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
    Class<? extends SocketChannel> tcp = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    // Netty's own DNS client: the JDK resolver would block an event loop on a slow name server.
    // Wrapped so that the resolved address is checked where the connection is made (a name can
    // resolve to the metadata endpoint even when the URL looked harmless).
    this.resolver =
        new GuardedResolverGroup(
            new DnsAddressResolverGroup(
                new DnsNameResolverBuilder()
                    .datagramChannelType(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .socketChannelType(tcp)),
            b.targets);
    this.template =
        new Bootstrap()
            .channel(tcp)
            .resolver(resolver)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true);
    this.pools =
        Caffeine.newBuilder()
            .expireAfterAccess(idleTimeout)
            .scheduler(this::scheduleCleanUp)
            .executor(Runnable::run)
            .<Origin, OriginPool>removalListener(
                (origin, pool, cause) -> {
                  if (pool != null) {
                    pool.retire();
                  }
                })
            .build();
  }

  @Override
  public CompletableFuture<WebhookResult> call(
      WebhookRequest request, WebhookPolicy policy, AttemptListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("webhook client closed"));
    }
    Origin origin = Origin.of(request.url(), request.h2c());
    WebhookMessage message = new WebhookMessage(request, origin, userAgent, clock);
    CompletableFuture<WebhookResult> future = new CompletableFuture<>();
    // The call runs on its origin's loop, where that origin's connections live.
    CallRun run =
        new CallRun(
            this, request, policy, origin, message, future, pool(origin).loop(), listener);
    running.add(run);
    future.whenComplete(
        (result, error) -> {
          if (future.isCancelled()) {
            run.cancel();
          }
        });
    run.start();
    return future;
  }

  Clock clock() {
    return clock;
  }

  long nanoTime() {
    return ticker.getAsLong();
  }

  /** The pool of an origin, created on first use on the next event loop of the group. */
  OriginPool pool(Origin origin) {
    return pools.get(origin, this::newPool);
  }

  private OriginPool newPool(Origin origin) {
    OriginPool[] made = new OriginPool[1];
    made[0] = new OriginPool(origin, group.next(), template, tls, idleTimeout,
        maxConnectionsPerOrigin, ticker, () -> {
          if (live.remove(made[0])) {
            openedByGone.addAndGet(made[0].connectionsOpened());
          }
        });
    live.add(made[0]);
    return made[0];
  }

  /** Caffeine's expiry timer on the event loops; none once they are shutting down. */
  private Future<?> scheduleCleanUp(Executor executor, Runnable task, long delay, TimeUnit unit) {
    if (!group.isShuttingDown()) {
      try {
        return group.schedule(() -> executor.execute(task), delay, unit);
      } catch (RejectedExecutionException e) {
        // Shutting down meanwhile: nothing left to expire.
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public PoolStats poolStats() {
    long opened = openedByGone.get();
    List<OriginStats> origins = new ArrayList<>();
    for (OriginPool p : live) {
      opened += p.connectionsOpened();
      origins.add(new OriginStats(p.origin().toString(), p.protocol().label(),
          p.openConnections(), p.idleConnections(), p.activeStreams(), p.waiters()));
    }
    return new PoolStats(opened, origins);
  }

  void forget(CallRun run) {
    running.remove(run);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (CallRun run : List.copyOf(running)) {
      run.shutdown();
    }
    pools.invalidateAll();
    pools.cleanUp();
    for (OriginPool p : live) {
      p.closeAll();
    }
    resolver.close();
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }
}
