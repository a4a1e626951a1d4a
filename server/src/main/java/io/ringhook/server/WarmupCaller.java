package io.ringhook.server;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One synthetic caller of the start-up {@link Warmup}: plain UDP datagrams from 127.0.0.1, one call
 * after another until told to {@link #finish()}: INVITE with an SDP offer, 100/180/200 (or a refusal, ACKed), ACK,
 * RTP until the agent echoes it, BYE and its 200. Raw datagrams rather than a
 * JAIN-SIP client stack: the server's side is what needs compiling, and a datagram costs nothing to
 * throw away. Closing it ends a call in progress at once.
 */
final class WarmupCaller implements Runnable, AutoCloseable {
  /** How long a response or the echo may take: the first calls of a cold JVM are slow. */
  static final int RECEIVE_TIMEOUT_MS = 3000;
  /** RTP packets sent a call at most: until one comes back, so the agent's media path and the pacer run. */
  static final int RTP_PACKETS = 10;
  /** How long each RTP packet waits for the echo: the pacer sends every 20 ms. */
  static final int ECHO_WAIT_MS = 50;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** What the callers did, for the summary: counted as each step completes. */
  static final class Counts {
    final AtomicLong invites = new AtomicLong();
    final AtomicLong answered = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong echoed = new AtomicLong();
    final AtomicLong ended = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
  }

  private final int id;
  private final InetSocketAddress server;
  private final String number;
  private final Counts counts;
  private final DatagramSocket sip;
  private final DatagramSocket rtp;
  private final byte[] buffer = new byte[4096];
  private volatile boolean finishing;
  private volatile boolean closed;

  WarmupCaller(int id, int serverPort, String number, Counts counts) throws IOException {
    this.id = id;
    this.server = new InetSocketAddress(LOOPBACK, serverPort);
    this.number = number;
    this.counts = counts;
    this.sip = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    try {
      this.rtp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    } catch (IOException e) {
      sip.close();
      throw e;
    }
    sip.setSoTimeout(RECEIVE_TIMEOUT_MS);
    rtp.setSoTimeout(RECEIVE_TIMEOUT_MS);
  }

  @Override
  public void run() {
    try {
      for (long n = 0; !finishing && !closed; n++) {
        try {
          call(n);
        } catch (IOException | RuntimeException e) { // RuntimeException: an answer not as expected
          if (closed) {
            return;
          }
          counts.failed.incrementAndGet(); // a lost, late or odd answer; the server ends that call itself
        }
      }
    } finally {
      close();
    }
  }

  private void call(long n) throws IOException {
    String callId = "warm-up-" + id + "-" + n + "@127.0.0.1";
    String tag = "w" + id + "x" + n;
    String uri = "sip:" + number + "@127.0.0.1:" + server.getPort();
    String sdp = "v=0\r\no=warm-up " + n + " 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + rtp.getLocalPort() + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
    String inviteBranch = "z9hG4bK-wi" + id + "x" + n;
    send(request("INVITE", uri, inviteBranch, callId, tag, null, 1, "Content-Type: application/sdp\r\n"
        + "Contact: <sip:warm-up@127.0.0.1:" + sip.getLocalPort() + ">\r\n", sdp));
    counts.invites.incrementAndGet();
    String fin = awaitFinal(callId, "INVITE");
    int status = status(fin);
    String to = header(fin, "To");
    String toTag = to.contains(";tag=") ? to.replaceFirst(".*;tag=([^;\\s]+).*", "$1") : null;
    if (status >= 300) {
      // RFC 3261 17.1.1.3: the ACK of a failure is part of the INVITE transaction (same branch).
      send(request("ACK", uri, inviteBranch, callId, tag, toTag, 1, "", ""));
      counts.refused.incrementAndGet();
      return;
    }
    send(request("ACK", uri, "z9hG4bK-wa" + id + "x" + n, callId, tag, toTag, 1, "", ""));
    counts.answered.incrementAndGet();
    media(fin);
    send(request("BYE", uri, "z9hG4bK-wb" + id + "x" + n, callId, tag, toTag, 2, "", ""));
    awaitFinal(callId, "BYE");
    counts.ended.incrementAndGet();
  }

  /**
   * RTP packets to the answer's port, one each {@link #ECHO_WAIT_MS} until the agent's echo of one comes
   * back (the first may arrive before the server has handled the ACK and started the media), at most
   * {@link #RTP_PACKETS}.
   */
  private void media(String answer) throws IOException {
    int at = answer.indexOf("m=audio ");
    if (at < 0) {
      return;
    }
    int port = Integer.parseInt(answer.substring(at + 8, answer.indexOf(' ', at + 8)));
    InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
    byte[] packet = new byte[12 + 160];
    packet[0] = (byte) 0x80; // version 2, PCMU
    packet[11] = (byte) (id + 1); // SSRC
    Arrays.fill(packet, 12, packet.length, (byte) 0x7e);
    rtp.setSoTimeout(ECHO_WAIT_MS);
    try {
      for (int seq = 0; seq < RTP_PACKETS; seq++) {
        packet[3] = (byte) seq;
        packet[6] = (byte) (seq * 160 >> 8);
        packet[7] = (byte) (seq * 160);
        rtp.send(new DatagramPacket(packet, packet.length, to));
        if (echoFrom(port)) {
          counts.echoed.incrementAndGet();
          return;
        }
      }
    } finally {
      rtp.setSoTimeout(RECEIVE_TIMEOUT_MS);
    }
  }

  /** Whether a packet from {@code port} arrives within the socket's timeout; an earlier call's echo is skipped. */
  private boolean echoFrom(int port) throws IOException {
    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
    try {
      do {
        rtp.receive(p);
      } while (p.getPort() != port);
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  /** Reads datagrams until the final response to {@code method} of {@code callId}; skips the rest. */
  private String awaitFinal(String callId, String method) throws IOException {
    while (true) {
      DatagramPacket p = new DatagramPacket(buffer, buffer.length);
      sip.receive(p);
      String m = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
      if (m.startsWith("SIP/2.0 ") && status(m) >= 200 && header(m, "Call-ID").equals(callId)
          && header(m, "CSeq").endsWith(method)) {
        return m;
      }
    }
  }

  private String request(String method, String uri, String branch, String callId, String tag, String toTag, int cseq,
                         String extra, String body) {
    return method + " " + uri + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + sip.getLocalPort() + ";branch=" + branch + ";rport\r\n"
        + "From: <sip:+15550000199@127.0.0.1>;tag=" + tag + "\r\n"
        + "To: <sip:" + number + "@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
        + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nMax-Forwards: 70\r\n"
        + extra + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }

  private void send(String message) throws IOException {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    sip.send(new DatagramPacket(bytes, bytes.length, server));
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(8, 11));
  }

  /** The value of the first header {@code name} (full form, as the RI writes it), or "". */
  private static String header(String message, String name) {
    int at = message.indexOf("\r\n" + name + ":");
    if (at < 0) {
      return "";
    }
    int start = at + name.length() + 3;
    int end = message.indexOf("\r\n", start);
    return message.substring(start, end < 0 ? message.length() : end).trim();
  }

  /** Places no further call once the one in progress has ended. */
  void finish() {
    finishing = true;
  }

  @Override
  public void close() {
    closed = true;
    sip.close();
    rtp.close();
  }
}
