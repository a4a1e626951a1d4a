package io.ringhook.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The RI's NIO TCP transport (one selector thread for every connection) with the
 * {@link TcpGuard} at accept time: a refused connection is reset before the stack spends a
 * channel, a parser or a byte of buffer on it. Outbound connects never block the caller and a
 * connected socket is handed to the selector only once its channel is known ({@link OutboundTcpHandler}
 * says why the RI's own path loses messages).
 */
final class GuardedTcpProcessor extends NioTcpMessageProcessor {
  private final TcpGuard guard;
  private final LongSupplier nanoTime;
  /** Sockets this server is connecting whose channel the RI has not published yet. */
  private final Set<SocketChannel> awaitingChannel = ConcurrentHashMap.newKeySet();

  GuardedTcpProcessor(InetAddress address, SIPTransactionStack stack, int port, TcpGuard guard, LongSupplier nanoTime) {
    super(address, stack, port);
    this.guard = guard;
    this.nanoTime = nanoTime;
    // Replaces the RI's handler before start(); the one it made holds nothing (its idle auditor
    // keeps ticking over an empty map, as the RI gives no way to stop it).
    this.nioHandler = new OutboundTcpHandler(stack, this);
  }

  /**
   * Starts a non-blocking connect without telling the selector yet: the RI publishes the socket's
   * channel only after this returns, and a connect or write event the selector meets before that
   * cancels the socket's key ({@link #channelKnown} registers it). {@code timeout} goes unused, as in
   * the RI's own non-blocking mode: a peer that never answers fails the transaction at its timer.
   */
  @Override
  public SocketChannel connect(InetSocketAddress address, InetAddress local, int timeout) throws IOException {
    SocketChannel socket = SocketChannel.open();
    try {
      socket.configureBlocking(false);
      socket.bind(new InetSocketAddress(local, 0));
      socket.connect(address);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    awaitingChannel.add(socket);
    return socket;
  }

  /** Called once a socket's channel is published: a socket we connected may now meet the selector. */
  void channelKnown(SocketChannel socket) {
    awaitingChannel.removeIf(s -> s != socket && !s.isOpen()); // a connect whose channel never came
    if (awaitingChannel.remove(socket)) {
      // Connected at once (no connect event will come): read, and write what send() queued meanwhile.
      int ops = socket.isConnectionPending() ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
      changeRequests.add(new ChangeRequest(socket, ChangeRequest.REGISTER, ops));
      selector.wakeup();
    }
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

  /**
   * The RI's NIO processor factory with TCP guarded and UDP received without a 64 KiB array per
   * datagram ({@link CopyingUdpProcessor}).
   */
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
      if ("UDP".equalsIgnoreCase(transport) && sendFromListeningSocket(stack)) {
        String name = stack instanceof SipStackImpl impl ? impl.getStackName() : "sip";
        return new CopyingUdpProcessor(address, stack, port, SipServer.MESSAGE_THREADS, name, System::currentTimeMillis);
      }
      return super.createMessageProcessor(stack, address, port, transport);
    }

    /**
     * What the RI's factory does when it makes a UDP processor, and nothing else does: it sets the
     * stack's package-private {@code udpFlag}, without which every UDP message is sent from a new
     * socket on a random port (RFC 3581 and NAT pinholes want the SIP port). When the field cannot be
     * set (another RI), the RI's own processor is used instead.
     */
    private static boolean sendFromListeningSocket(SIPTransactionStack stack) {
      try {
        java.lang.reflect.Field f = SIPTransactionStack.class.getDeclaredField("udpFlag");
        f.setAccessible(true);
        f.setBoolean(stack, true);
        return true;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return false;
      }
    }
  }
}
