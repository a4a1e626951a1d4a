package io.ringhook.media;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Which Netty transport the server's event loops use: the native epoll transport where it loads
 * (Linux with the native library on the class path), NIO elsewhere. A channel's class follows the
 * group it is registered with, so code handed a group (RTP, agent connections) never names a
 * transport itself, and tests that hand it an NIO group keep working.
 *
 * <p>Epoll is chosen for the media path: a call's RTP socket and agent WebSocket are served
 * edge-triggered, with no JDK selector (its key set and deregistration queue are where NIO spent
 * its time with a UDP channel per call). {@code -Dio.netty.transport.noNative=true} forces NIO.
 */
public final class NettyTransport {
  private NettyTransport() {}

  /** The event loops' I/O handler: epoll if available, else NIO. */
  public static IoHandlerFactory ioHandlerFactory() {
    return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** What {@link #ioHandlerFactory()} chose and, for NIO, why: for the start-up log line. */
  public static String describe() {
    return Epoll.isAvailable() ? "epoll (native)" : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
  }

  /** A UDP channel class for {@code group}. */
  public static Class<? extends DatagramChannel> datagramChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  /** A TCP client channel class for {@code group}. */
  public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** A TCP listening channel class for {@code group}. */
  public static Class<? extends ServerSocketChannel> serverSocketChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static boolean isEpoll(EventLoopGroup group) {
    return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
  }
}
