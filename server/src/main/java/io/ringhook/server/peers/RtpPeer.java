package io.ringhook.server.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A minimal RTP endpoint for calls driven by {@link SipTestClient}: one UDP socket on 127.0.0.1
 * that sends 20 ms G.711 packets of a tone (or of given audio) on a steady schedule, and records
 * every packet it receives. Not sending at all is how a test provokes the server's RTP timeout.
 */
public final class RtpPeer implements AutoCloseable {
  /** Samples in one 20 ms packet at 8 kHz. */
  public static final int SAMPLES_PER_PACKET = 160;

  /** One received RTP packet (header fields parsed, payload as is). */
  public record RtpPacket(int payloadType, boolean marker, int sequence, long timestamp, long ssrc, byte[] payload,
      InetSocketAddress source, long receivedNanos) {}

  private final String name;
  private final DatagramSocket socket;
  private final Inbox<RtpPacket> received = new Inbox<>();
  private final ScheduledExecutorService pacer;
  private final Thread reader;
  private final long ssrc = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
  private int sequence = ThreadLocalRandom.current().nextInt(0x10000);
  private long timestamp = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
  private ScheduledFuture<?> sending;
  private int sentPackets;

  private RtpPeer(String name, DatagramSocket socket) {
    this.name = name;
    this.socket = socket;
    this.pacer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rtp-send-" + name));
    this.reader = daemon(this::readLoop, "rtp-recv-" + name);
    reader.start();
  }

  /** Opens a peer on 127.0.0.1 with an ephemeral port. */
  public static RtpPeer open(String name) {
    return open(name, InetAddress.getLoopbackAddress());
  }

  /** Opens a peer on {@code address} (of this machine) with an ephemeral port. */
  public static RtpPeer open(String name, InetAddress address) {
    try {
      return new RtpPeer(name, new DatagramSocket(new InetSocketAddress(address, 0)));
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the local RTP port (put it in the SDP offer). */
  public int port() {
    return socket.getLocalPort();
  }

  /** Sends a sine of {@code hz} as PCMU to {@code target}, one packet every 20 ms, for {@code duration}. */
  public void sendTone(InetSocketAddress target, double hz, Duration duration) {
    send(target, Wav.sine(Wav.RATE_8K, hz, duration, 0.5));
  }

  /** Sends {@code pcm} (8 kHz) as PCMU to {@code target} in 20 ms packets on a steady clock; returns at once. */
  public synchronized void send(InetSocketAddress target, short[] pcm) {
    stopSending();
    int packets = pcm.length / SAMPLES_PER_PACKET;
    int[] next = {0};
    sending = pacer.scheduleAtFixedRate(() -> {
      if (next[0] >= packets) {
        throw new IllegalStateException("done"); // ends the schedule
      }
      int from = next[0]++ * SAMPLES_PER_PACKET;
      sendPacket(target, 0, next[0] == 1, G711.encodeUlaw(pcm, from, from + SAMPLES_PER_PACKET));
    }, 0, 20, TimeUnit.MILLISECONDS);
  }

  /** Returns whether a {@link #send} is still in progress. */
  public synchronized boolean sending() {
    return sending != null && !sending.isDone();
  }

  /** Waits until the current {@link #send} has sent its last packet. */
  public void awaitSent(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sending()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("RTP peer '" + name + "' still sending after " + timeout.toMillis() + " ms");
      }
      sleep(5);
    }
  }

  /** Stops sending. */
  public synchronized void stopSending() {
    if (sending != null) {
      sending.cancel(false);
      sending = null;
    }
  }

  /** Sends one RTP packet with the next sequence number and timestamp (for DTMF, odd payloads). */
  public synchronized void sendPacket(InetSocketAddress target, int payloadType, boolean marker, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
    b.put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F)))
        .putShort((short) sequence).putInt((int) timestamp).putInt((int) ssrc).put(payload);
    sequence = (sequence + 1) & 0xFFFF;
    timestamp = (timestamp + SAMPLES_PER_PACKET) & 0xFFFFFFFFL;
    sentPackets++;
    try {
      socket.send(new DatagramPacket(b.array(), b.capacity(), target));
    } catch (IOException e) {
      // ICMP port unreachable from an earlier packet, or closed: a test asserts on what arrived.
    }
  }

  /** Returns the number of packets sent so far. */
  public synchronized int sentPackets() {
    return sentPackets;
  }

  /** Returns every packet received so far, in arrival order. */
  public List<RtpPacket> received() {
    return received.all();
  }

  /** Waits until at least {@code count} packets have arrived, failing the test otherwise. */
  public void awaitPackets(int count, Duration timeout) {
    received.find(p -> received.size() >= count, timeout,
        () -> count + " RTP packets on '" + name + "' (port " + port() + "), got " + received.size());
  }

  /** Returns where the last packet came from, if any arrived. */
  public Optional<InetSocketAddress> lastSource() {
    List<RtpPacket> all = received.all();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1).source());
  }

  /** Returns the PCMU and PCMA payloads received, decoded in arrival order (other payload types skipped). */
  public Wav.Audio receivedAudio() {
    List<Short> pcm = new ArrayList<>();
    for (RtpPacket p : received.all()) {
      if (p.payloadType() == 0 || p.payloadType() == 8) {
        for (byte v : p.payload()) {
          pcm.add(p.payloadType() == 0 ? G711.ulawToLinear(v) : G711.alawToLinear(v));
        }
      }
    }
    short[] out = new short[pcm.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = pcm.get(i);
    }
    return new Wav.Audio(Wav.RATE_8K, out);
  }

  private void readLoop() {
    byte[] buf = new byte[2048];
    while (!socket.isClosed()) {
      DatagramPacket dp = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(dp);
      } catch (IOException e) {
        continue; // closed (loop ends) or an ICMP error reported on this socket
      }
      if (dp.getLength() < 12 || (buf[0] & 0xC0) != 0x80) {
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(buf, 0, dp.getLength());
      int cc = b.get(0) & 0x0F;
      int start = 12 + 4 * cc;
      if (start > dp.getLength()) {
        continue;
      }
      byte[] payload = new byte[dp.getLength() - start];
      System.arraycopy(buf, start, payload, 0, payload.length);
      received.add(new RtpPacket(b.get(1) & 0x7F, (b.get(1) & 0x80) != 0, b.getShort(2) & 0xFFFF,
          b.getInt(4) & 0xFFFFFFFFL, b.getInt(8) & 0xFFFFFFFFL, payload,
          (InetSocketAddress) dp.getSocketAddress(), System.nanoTime()));
    }
  }

  @Override
  public void close() {
    pacer.shutdownNow();
    socket.close();
    try {
      reader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "RtpPeer[" + name + " " + socket.getLocalSocketAddress() + "]";
  }
}
