package io.ringhook.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An inbound SIP/TCP connection admitted by the {@link TcpGuard}: the RI's NIO channel (no thread
 * of its own) that also tells the guard when it completed its first message and when it closed.
 */
final class GuardedTcpChannel extends NioTcpMessageChannel {
  private final TcpGuard guard;
  private final InetAddress source;
  private final long acceptedAt;
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile boolean completed;

  GuardedTcpChannel(NioTcpMessageProcessor processor, SocketChannel socket, TcpGuard guard, InetAddress source,
                    long acceptedAt) throws IOException {
    super(processor, socket);
    this.messageProcessor = processor;
    this.guard = guard;
    this.source = source;
    this.acceptedAt = acceptedAt;
  }

  InetAddress source() {
    return source;
  }

  long acceptedAt() {
    return acceptedAt;
  }

  boolean completedAMessage() {
    return completed;
  }

  @Override
  public void processMessage(SIPMessage message) throws Exception {
    completed = true;
    super.processMessage(message);
  }

  @Override
  protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
    try {
      super.close(removeSocket, stopKeepAliveTask);
    } finally {
      if (released.compareAndSet(false, true)) {
        guard.closed(this);
      }
    }
  }
}
