package io.ringhook.webhook;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * A resolver group that hands the client only addresses its {@link WebhookTargets} allow: a name
 * that resolves to a link-local or metadata address (or a private one, when those are off) fails
 * the attempt as {@code refused} before any packet is sent there.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {
  private final AddressResolverGroup<InetSocketAddress> delegate;
  private final WebhookTargets targets;

  GuardedResolverGroup(AddressResolverGroup<InetSocketAddress> delegate, WebhookTargets targets) {
    this.delegate = delegate;
    this.targets = targets;
  }

  @Override
  protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
    AddressResolver<InetSocketAddress> inner = delegate.getResolver(executor);
    return new AbstractAddressResolver<>(executor, InetSocketAddress.class) {
      @Override
      protected boolean doIsResolved(InetSocketAddress address) {
        return !address.isUnresolved();
      }

      @Override
      protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
        inner.resolve(unresolved).addListener((Future<InetSocketAddress> f) -> {
          if (!f.isSuccess()) {
            promise.tryFailure(f.cause());
            return;
          }
          Optional<String> refusal = targets.refusal(f.getNow().getAddress());
          if (refusal.isPresent()) {
            promise.tryFailure(new ForbiddenTarget(unresolved.getHostString(), refusal.get()));
          } else {
            promise.trySuccess(f.getNow());
          }
        });
      }

      @Override
      protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
        inner.resolveAll(unresolved).addListener((Future<List<InetSocketAddress>> f) -> {
          if (!f.isSuccess()) {
            promise.tryFailure(f.cause());
            return;
          }
          List<InetSocketAddress> allowed =
              f.getNow().stream().filter(a -> targets.refusal(a.getAddress()).isEmpty()).toList();
          if (allowed.isEmpty()) {
            promise.tryFailure(new ForbiddenTarget(unresolved.getHostString(),
                targets.refusal(f.getNow().get(0).getAddress()).orElse("refused")));
          } else {
            promise.trySuccess(allowed);
          }
        });
      }

      @Override
      public void close() {
        // the delegate group closes its own resolvers
      }
    };
  }

  @Override
  public void close() {
    super.close();
    delegate.close();
  }

  /** A webhook host that resolved to an address ringhook does not connect to; classified as refused. */
  static final class ForbiddenTarget extends ConnectException {
    private static final long serialVersionUID = 1L;

    ForbiddenTarget(String host, String why) {
      super("webhook host " + host + " refused: " + why);
    }
  }
}
