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
 * RTP until the agent echoes it, BYE and its 200, the INVITE written in turn as SIPp, a carrier behind its proxy
 * and other peers write it ({@link #shape}). Raw datagrams rather than a
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
  /** How many ways of writing a call the callers take turns with ({@link #shape}). */
  static final int SHAPES = 4;
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
    Shape shape = shape(n);
    String inviteBranch = "z9hG4bK-wi" + id + "x" + n;
    send(request("INVITE", shape, inviteBranch, callId, tag, null, 1, false,
        "Content-Type: application/sdp\r\n" + shape.headers(), sdp(n, shape.formats())));
    counts.invites.incrementAndGet();
    String fin = awaitFinal(callId, "INVITE");
    int status = status(fin);
    String to = header(fin, "To");
    String toTag = to.contains(";tag=") ? to.replaceFirst(".*;tag=([^;\\s]+).*", "$1") : null;
    if (status >= 300) {
      // RFC 3261 17.1.1.3: the ACK of a failure is part of the INVITE transaction (same branch, no route set).
      send(request("ACK", shape, inviteBranch, callId, tag, toTag, 1, false, "", ""));
      if (status != 503) { // the copy refuses only as an overload would: anything else is a call that failed
        throw new IllegalStateException("INVITE answered " + status);
      }
      counts.refused.incrementAndGet();
      return;
    }
    send(request("ACK", shape, "z9hG4bK-wa" + id + "x" + n, callId, tag, toTag, 1, true, "", ""));
    counts.answered.incrementAndGet();
    media(fin);
    send(request("BYE", shape, "z9hG4bK-wb" + id + "x" + n, callId, tag, toTag, 2, true, "", ""));
    awaitFinal(callId, "BYE");
    counts.ended.incrementAndGet();
  }

  /**
   * One way of writing a call's requests, as peers write them.
   *
   * @param uri     the Request-URI
   * @param from    the From header's value, without its tag
   * @param to      the To header's value, without a tag
   * @param headers the INVITE's other headers (Contact and what the peer adds), each ending in CRLF
   * @param via     a second Via (a proxy's, below the caller's), or ""
   * @param route   the Route header of the requests in the dialog (the Record-Route the INVITE set up), or ""
   * @param formats the SDP offer's payload types, in the peer's order of preference
   * @param rport   whether the caller's Via asks for the response at the source port (RFC 3581)
   */
  record Shape(String uri, String from, String to, String headers, String via, String route, String formats,
               boolean rport) {}

  /**
   * The shape of call {@code n}: the callers take turns through {@link #SHAPES} of them, so that the SIP parser,
   * the number normalisation and the codec choice see what a trunk sends, not one message over and over (the JIT
   * compiles for the branches and types it saw, and throws the code away at the first one it did not).
   */
  Shape shape(long n) {
    String local = "127.0.0.1:" + sip.getLocalPort();
    String here = "127.0.0.1:" + server.getPort();
    switch ((int) ((n + id) % SHAPES)) {
      case 0: // SIPp's (the load harness): a display name, ports in the URIs, a transport parameter, no rport
        return new Shape("sip:" + number + "@" + here, "\"SIPp\" <sip:+15550009999@" + local + ">",
            "<sip:" + number + "@" + here + ">", "Contact: <sip:+15550009999@" + local + ";transport=UDP>\r\n"
            + "User-Agent: ringhook warm-up\r\n", "", "", "0 8 101", false);
      case 1: // a carrier's, through its proxy: user=phone, the caller asserted, capabilities, G.729 offered first
        return new Shape("sip:" + number + "@" + here + ";user=phone",
            "\"Jim Smith\" <sip:+15550000199@127.0.0.1;user=phone>", "<sip:" + number + "@127.0.0.1;user=phone>",
            "Record-Route: <sip:" + local + ";lr>\r\nContact: <sip:15550000199@" + local + ">\r\n"
            + "P-Asserted-Identity: \"Jim Smith\" <sip:+15550000199@127.0.0.1;user=phone>\r\n"
            + "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE\r\nSupported: timer, replaces\r\n"
            + "X-Carrier-Ref: " + id + "-" + n + "\r\n",
            "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-wp" + id + "x" + n + "\r\n",
            "Route: <sip:" + local + ";lr>\r\n", "18 0 8 101", true);
      case 2: // the international prefix dialed, a withheld caller identified by a tel: URI, PCMA first
        String dialed = "00" + number.substring(number.startsWith("+") ? 1 : 0);
        return new Shape("sip:" + dialed + "@127.0.0.1", "\"Anonymous\" <sip:anonymous@anonymous.invalid>",
            "<sip:" + dialed + "@127.0.0.1>", "Contact: <sip:caller@" + local + ">\r\n"
            + "P-Asserted-Identity: <tel:+15550000199>\r\nPrivacy: id\r\n", "", "", "8 0 101", true);
      default: // the plainest a peer sends
        return new Shape("sip:" + number + "@127.0.0.1", "<sip:+15550000199@127.0.0.1>",
            "<sip:" + number + "@127.0.0.1>", "Contact: <sip:warm-up@" + local + ">\r\n", "", "", "0 8 101", false);
    }
  }

  /** The SDP offer of call {@code n}: audio on the caller's RTP port, {@code formats} with their rtpmap lines. */
  private String sdp(long n, String formats) {
    StringBuilder sdp = new StringBuilder("v=0\r\no=warm-up ").append(n).append(" 1 IN IP4 127.0.0.1\r\ns=-\r\n")
        .append("c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ").append(rtp.getLocalPort()).append(" RTP/AVP ")
        .append(formats).append("\r\n");
    for (String format : formats.split(" ")) {
      sdp.append(switch (format) {
        case "0" -> "a=rtpmap:0 PCMU/8000\r\n";
        case "8" -> "a=rtpmap:8 PCMA/8000\r\n";
        case "18" -> "a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n";
        default -> "a=rtpmap:" + format + " telephone-event/8000\r\na=fmtp:" + format + " 0-16\r\n";
      });
    }
    return sdp.append("a=ptime:20\r\na=sendrecv\r\n").toString();
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
    int portEnd = answer.indexOf(' ', at + 8);
    int port = Integer.parseInt(answer.substring(at + 8, portEnd));
    // The answer's first format after "RTP/AVP": the codec the server chose from the offer.
    int formatAt = answer.indexOf(' ', portEnd + 1) + 1;
    int formatEnd = formatAt;
    while (formatEnd < answer.length() && Character.isDigit(answer.charAt(formatEnd))) {
      formatEnd++;
    }
    int payloadType = formatEnd > formatAt ? Integer.parseInt(answer.substring(formatAt, formatEnd)) : 0;
    InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
    byte[] packet = new byte[12 + 160];
    packet[0] = (byte) 0x80; // version 2
    packet[1] = (byte) payloadType;
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

  private String request(String method, Shape shape, String branch, String callId, String tag, String toTag, int cseq,
                         boolean inDialog, String extra, String body) {
    return method + " " + shape.uri() + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + sip.getLocalPort() + ";branch=" + branch + (shape.rport() ? ";rport" : "")
        + "\r\n" + shape.via()
        + (inDialog ? shape.route() : "")
        + "From: " + shape.from() + ";tag=" + tag + "\r\n"
        + "To: " + shape.to() + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
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
