package io.ringhook.sip;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The RI's UDP listening point with its receive loop made cheap. The RI's loop allocates a new
 * 64 KiB array for every datagram (its largest possible size) and queues it whole until the message
 * thread parses it: at 800 calls a second that was 45 % of all the bytes the server allocated, and a
 * backlog of 10,000 queued datagrams held 640 MiB of heap. Here one 64 KiB buffer is reused for every
 * receive and each datagram is queued as a copy of exactly its own bytes. Everything else is the RI's:
 * its queue (read by the admission check), its message threads, parsing and transactions.
 */
final class CopyingUdpProcessor extends UDPMessageProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(CopyingUdpProcessor.class);
  private static final int MAX_DATAGRAM = 65535;

  private final int messageThreads;
  private final String stackName;
  private final LongSupplier epochMillis;
  private final RateLimitedLog failures =
      new RateLimitedLog(LOG, Level.WARN, Duration.ofSeconds(10), System::nanoTime);

  CopyingUdpProcessor(InetAddress address, SIPTransactionStack stack, int port, int messageThreads,
                      String stackName, LongSupplier epochMillis) throws IOException {
    super(address, stack, port);
    this.messageThreads = messageThreads;
    this.stackName = stackName;
    this.epochMillis = epochMillis;
  }

  @Override
  public void run() {
    // The RI's message threads, as its own run() starts them: each takes datagrams off messageQueue.
    messageChannels = new LinkedList<>();
    for (int i = 0; i < messageThreads; i++) {
      messageChannels.add(new QueueReader(sipStack, this, stackName + "-UDPMessageChannelThread-" + i));
    }
    byte[] buffer = new byte[MAX_DATAGRAM];
    DatagramPacket received = new DatagramPacket(buffer, buffer.length);
    while (isRunning) {
      try {
        received.setLength(buffer.length);
        sock.receive(received);
        int length = received.getLength();
        DatagramPacket own = new DatagramPacket(Arrays.copyOf(buffer, length), length,
            received.getAddress(), received.getPort());
        messageQueue.offer(new DatagramQueuedMessageDispatch(own, epochMillis.getAsLong()));
      } catch (SocketTimeoutException e) {
        // the RI's thread auditor sets a receive timeout; nothing to do
      } catch (SocketException e) {
        if (!isRunning) {
          return; // stop() closed the socket
        }
        report(e);
      } catch (IOException | RuntimeException e) {
        report(e);
      }
    }
  }

  private void report(Exception e) {
    failures.log("SIP UDP receive on port {} failed: {}", getPort(), e.toString());
  }

  /** The RI's queue-reading message thread (its constructor for that use is protected). */
  private static final class QueueReader extends UDPMessageChannel {
    QueueReader(SIPTransactionStack stack, UDPMessageProcessor processor, String threadName) {
      super(stack, processor, threadName);
    }
  }
}
