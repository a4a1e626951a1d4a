package io.ringhook.testing;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One NIO event-loop group for a test class, shut down without the default quiet period after its
 * last test: {@code @RegisterExtension static final EventLoops LOOPS = new EventLoops(2);}.
 */
public final class EventLoops implements AfterAllCallback {
  private final EventLoopGroup group;

  public EventLoops(int threads) {
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  /** The group, running from construction until the class's tests are done. */
  public EventLoopGroup group() {
    return group;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
