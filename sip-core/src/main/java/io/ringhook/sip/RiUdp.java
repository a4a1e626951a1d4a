package io.ringhook.sip;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.lang.reflect.Field;
import java.net.DatagramSocket;
import java.net.SocketException;
import java.util.Optional;
import java.util.Queue;
import java.util.function.LongSupplier;
import javax.sip.ListeningPoint;

/**
 * What the JAIN-SIP RI's UDP listening point keeps to itself: its socket (for the receive buffer
 * actually granted) and the queue of datagrams its reader has taken from the socket but its message
 * thread has not parsed yet. The RI has no API for either, so both are read by reflection from
 * {@code UDPMessageProcessor} (fields {@code sock} and {@code messageQueue}, RI 1.3); on another RI
 * both are simply absent.
 */
final class RiUdp {
  private final Optional<DatagramSocket> socket;
  private final Optional<Queue<DatagramQueuedMessageDispatch>> queue;

  RiUdp(ListeningPoint udp) {
    Object processor = udp instanceof ListeningPointImpl lp ? lp.getMessageProcessor() : null;
    socket = field(processor, "sock", DatagramSocket.class);
    @SuppressWarnings("unchecked")
    Optional<Queue<DatagramQueuedMessageDispatch>> q =
        field(processor, "messageQueue", Queue.class).map(x -> (Queue<DatagramQueuedMessageDispatch>) x);
    queue = q;
  }

  /** The socket's receive buffer as the kernel granted it (SO_RCVBUF), or empty when unknown. */
  Optional<Integer> receiveBuffer() {
    try {
      return socket.isPresent() ? Optional.of(socket.get().getReceiveBufferSize()) : Optional.empty();
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  /**
   * The age of the oldest datagram waiting to be parsed (each is stamped with its reception time),
   * or empty when the queue cannot be read.
   */
  Optional<QueueDelay> delay(LongSupplier epochMillis) {
    return queue.map(q -> () -> {
      DatagramQueuedMessageDispatch head = q.peek();
      return head == null ? 0 : Math.max(0, epochMillis.getAsLong() - head.getReceptionTime());
    });
  }

  private static <T> Optional<T> field(Object processor, String name, Class<T> type) {
    if (!(processor instanceof UDPMessageProcessor)) {
      return Optional.empty();
    }
    try {
      Field f = UDPMessageProcessor.class.getDeclaredField(name);
      f.setAccessible(true);
      return Optional.ofNullable(type.isInstance(f.get(processor)) ? type.cast(f.get(processor)) : null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
