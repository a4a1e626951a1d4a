package io.ringhook.sip;

import gov.nist.javax.sip.stack.NIOHandler;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * The RI's NIO socket table with its outbound path mended: a message leaves on the socket its channel
 * already holds, and a socket this server connects reaches the selector only once its channel is known.
 *
 * <p>Why: the RI's {@code NIOHandler.openOutgoingConnection} drops each socket it connects from the
 * table right after storing it (its "connected" flag is never set). The first send on a new outbound
 * channel (a BYE to a TCP caller's Contact) then finds no socket, connects a second one and swaps it
 * into the channel only after queueing the bytes on it; the selector thread meets that socket's
 * connect or write event before the channel is published for it, cancels its key, and the BYE is
 * never written. The same holds for the channel's first socket under non-blocking connects.
 */
final class OutboundTcpHandler extends NIOHandler {
  private final GuardedTcpProcessor processor;

  OutboundTcpHandler(SIPTransactionStack stack, GuardedTcpProcessor processor) {
    super(stack, processor);
    this.processor = processor;
  }

  @Override
  public SocketChannel sendBytes(InetAddress sender, InetAddress receiver, int port, String transport, byte[] bytes,
                                 boolean retry, NioTcpMessageChannel channel) throws IOException {
    SocketChannel own = channel == null ? null : channel.getSocketChannel();
    if (own != null && reaches(own, receiver, port)) {
      processor.send(own, bytes); // queued; written once connected
      return own;
    }
    return super.sendBytes(sender, receiver, port, transport, bytes, retry, channel);
  }

  @Override
  public void putMessageChannel(SocketChannel socket, NioTcpMessageChannel channel) {
    super.putMessageChannel(socket, channel);
    processor.channelKnown(socket);
  }

  /**
   * True when {@code socket} is open (connected or connecting) to exactly {@code address:port}.
   * "Connecting" is asked first: the selector thread may finish the connect between the two
   * questions, and asked the other way round a socket connecting at the first and connected at
   * the second is neither (a second socket was then opened and the first closed empty).
   */
  static boolean reaches(SocketChannel socket, InetAddress address, int port) {
    if (!socket.isOpen() || !(socket.isConnectionPending() || socket.isConnected())) {
      return false;
    }
    try {
      SocketAddress remote = socket.getRemoteAddress();
      return remote instanceof InetSocketAddress peer && peer.getPort() == port
          && address.equals(peer.getAddress());
    } catch (IOException closedMeanwhile) {
      return false;
    }
  }
}
