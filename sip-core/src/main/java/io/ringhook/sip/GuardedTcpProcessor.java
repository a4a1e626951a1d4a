package io.ringhook.sip;

import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.function.LongSupplier;

/**
 * The RI's NIO TCP transport (one selector thread for every connection) with the
 * {@link TcpGuard} at accept time: a refused connection is reset before the stack spends a
 * channel, a parser or a byte of buffer on it.
 */
final class GuardedTcpProcessor extends NioTcpMessageProcessor {
  private final TcpGuard guard;
  private final LongSupplier nanoTime;

  GuardedTcpProcessor(InetAddress address, SIPTransactionStack stack, int port, TcpGuard guard, LongSupplier nanoTime) {
    super(address, stack, port);
    this.guard = guard;
    this.nanoTime = nanoTime;
  }

  @Override
  public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
      throws IOException {
    // The RI calls this from its selector thread for each accepted socket, and only then.
    InetAddress source = ((InetSocketAddress) client.getRemoteAddress()).getAddress();
    TcpGuard.Refusal refusal = guard.admit(source);
    if (refusal != null) {
      try {
        client.setOption(StandardSocketOptions.SO_LINGER, 0); // RST: no TIME_WAIT kept for a refused peer
      } finally {
        client.close();
      }
      throw new RefusedConnection(refusal);
    }
    GuardedTcpChannel channel;
    try {
      channel = new GuardedTcpChannel(processor, client, guard, source, nanoTime.getAsLong());
    } catch (IOException | RuntimeException e) {
      guard.release(source);
      throw e;
    }
    nioHandler.putMessageChannel(client, channel);
    guard.opened(channel);
    return channel;
  }

  /**
   * Thrown to the RI's accept loop for a connection the guard refused; the RI logs it as an error,
   * which {@link Slf4jStackLogger} recognises and keeps quiet (the guard has counted and logged it).
   */
  static final class RefusedConnection extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedConnection(TcpGuard.Refusal why) {
      super("connection refused: " + why, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // expected and frequent under attack: no stack to fill
    }
  }

  /** The RI's NIO processor factory with TCP guarded; UDP as the RI makes it. */
  static final class Factory extends NioMessageProcessorFactory {
    private final TcpGuard guard;
    private final LongSupplier nanoTime;

    Factory(TcpGuard guard, LongSupplier nanoTime) {
      this.guard = guard;
      this.nanoTime = nanoTime;
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
      if ("TCP".equalsIgnoreCase(transport)) {
        return new GuardedTcpProcessor(address, stack, port, guard, nanoTime);
      }
      return super.createMessageProcessor(stack, address, port, transport);
    }
  }
}
