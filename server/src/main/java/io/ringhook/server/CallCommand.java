package io.ringhook.server;

import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.server.peers.Wav;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sip.RequestEvent;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * {@code java -jar ringhook.jar call NUMBER --server HOST[:PORT] [--from NUMBER] [--seconds N]
 * [--tone HZ]}: one real SIP call over UDP to check a deployment without a phone. It sends the
 * INVITE with a G.711 offer, prints each response with its time, and once answered sends a tone
 * for the given seconds, then hangs up (unless the other side does first) and prints how much audio
 * came back and who hung up. Exit status 0 only when the call was answered, 1 when it was not, 2
 * for a bad command line.
 */
final class CallCommand {
  static final Duration NO_ANSWER = Duration.ofSeconds(40); // past the webhook's 4 attempts of 10 s
  /** Without even a 100 Trying by then, nothing SIP is listening there. */
  static final Duration NO_RESPONSE = Duration.ofSeconds(8);
  private static final Pattern NUMBER = Pattern.compile("[+0-9A-Za-z*#._-]{1,32}");

  /** What to call and how. */
  record Options(String number, String host, int port, String from, Duration seconds, double toneHz) {}

  private CallCommand() {}

  static String usage() {
    return """
        Usage: java -jar ringhook.jar call NUMBER --server HOST[:PORT] [--from NUMBER] [--seconds N] [--tone HZ]

        Places one SIP call (UDP) to NUMBER at HOST:PORT (port 5060 by default), prints every
        response with its time, sends a HZ tone (440 by default) for N seconds (5) once answered,
        hangs up, and prints how much audio came back and who hung up. Exits 0 only when the call
        was answered.
        """;
  }

  /** Runs {@code call} with the arguments after it; the process's exit status. */
  static int main(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.println(usage());
      return 0;
    }
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("ringhook call: " + e.getMessage());
      err.println(usage());
      return 2;
    }
    try {
      return run(o, out);
    } catch (Exception e) {
      err.println("ringhook call: " + e.getMessage());
      return 1;
    }
  }

  static Options parse(List<String> args) {
    String number = null;
    String server = null;
    String from = "+15005550006";
    double seconds = 5;
    double tone = 440;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--")) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args.get(++i);
        switch (a) {
          case "--server" -> server = v;
          case "--from" -> from = checkNumber(v, "--from");
          case "--seconds" -> seconds = decimal(v, "--seconds", 0, 3600);
          case "--tone" -> tone = decimal(v, "--tone", 20, 3900);
          default -> throw new IllegalArgumentException("unknown option " + a
              + "; the options are --server, --from, --seconds, --tone");
        }
      } else if (number == null) {
        number = checkNumber(a, "NUMBER");
      } else {
        throw new IllegalArgumentException("unexpected argument \"" + a + "\": one NUMBER per call");
      }
    }
    if (number == null) {
      throw new IllegalArgumentException("which NUMBER to call? e.g. call +15550001 --server 127.0.0.1:5060");
    }
    if (server == null) {
      throw new IllegalArgumentException("--server HOST[:PORT] is required, e.g. --server 127.0.0.1:5060");
    }
    String host = server;
    int port = 5060;
    int colon = server.lastIndexOf(':');
    if (colon > 0 && !server.endsWith("]")) {
      host = server.substring(0, colon);
      try {
        port = Integer.parseInt(server.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("--server " + server + ": the port must be 1..65535");
      }
    }
    return new Options(number, host, port, from, Duration.ofMillis(Math.round(seconds * 1000)), tone);
  }

  static int run(Options o, PrintStream out) throws Exception {
    InetAddress server = resolve(o.host());
    InetAddress local = localAddressTowards(server, o.port());
    try (SipTestClient client = SipTestClient.builder("call").host(local.getHostAddress()).start();
         RtpPeer rtp = RtpPeer.open("call", local)) {
      client.autoRespond(Request.BYE, 200);
      String target = "sip:" + o.number() + "@" + server.getHostAddress() + ":" + o.port();
      String from = "sip:" + o.from() + "@" + local.getHostAddress();
      out.printf("INVITE %s from %s (RTP %s:%d)%n", target, from, local.getHostAddress(), rtp.port());
      long start = System.nanoTime();
      SipTestCall call = client.invite(target).from(from)
          .sdp(Sdp.audio(local.getHostAddress(), rtp.port(), "sendrecv", 0, 8, 101)).send();
      Optional<Response> last = Optional.empty();
      Set<Response> seen = new HashSet<>();
      while (last.isEmpty() && System.nanoTime() - start < NO_ANSWER.toNanos()) {
        if (seen.isEmpty() && (System.nanoTime() - start > NO_RESPONSE.toNanos() || !client.problems().isEmpty())) {
          out.printf("no response from %s:%d%s: is ringhook listening there?%n", server.getHostAddress(), o.port(),
              client.problems().isEmpty() ? " within " + NO_RESPONSE.toSeconds() + " s" : " (" + client.problems().get(0) + ")");
          return 1;
        }
        for (Response r : responsesOf(client, call)) {
          if (seen.add(r)) {
            out.printf("%7d ms  %d %s%n", ms(start), r.getStatusCode(), r.getReasonPhrase());
            if (r.getStatusCode() >= 200) {
              last = Optional.of(r);
            }
          }
        }
        Thread.sleep(10);
      }
      if (last.isEmpty()) {
        out.printf("no final response within %d s: not answered%n", NO_ANSWER.toSeconds());
        return 1;
      }
      if (last.get().getStatusCode() / 100 != 2) {
        out.printf("not answered: %d %s%n", last.get().getStatusCode(), last.get().getReasonPhrase());
        return 1;
      }
      call.ack();
      long answered = System.nanoTime();
      InetSocketAddress media = Sdp.audioAddress(Sdp.body(last.get()));
      out.printf("answered; media to %s:%d, sending %.0f Hz for %.1f s%n", media.getHostString(), media.getPort(),
          o.toneHz(), o.seconds().toMillis() / 1000.0);
      rtp.sendTone(media, o.toneHz(), o.seconds());
      Optional<RequestEvent> bye = client.pollRequest(Request.BYE, o.seconds().plusMillis(300));
      rtp.stopSending();
      int sent = rtp.sentPackets();
      Wav.Audio heard = rtp.receivedAudio();
      String hungUp;
      if (bye.isPresent()) {
        hungUp = String.format(Locale.ROOT, "the other side (BYE after %.1f s)", (System.nanoTime() - answered) / 1e9);
      } else {
        call.bye();
        Optional<Response> ok = call.pollResponse(Request.BYE, 200, Duration.ofSeconds(5));
        hungUp = ok.isPresent() ? String.format(Locale.ROOT, "us (BYE answered 200 after %.1f s)",
            (System.nanoTime() - answered) / 1e9) : "us (BYE not answered within 5 s)";
      }
      out.printf(Locale.ROOT, "audio: sent %d packets (%.1f s); received %d packets, %.1f s of audio, %s%n", sent,
          sent * 0.02, rtp.received().size(), heard.samples().length / 8000.0, level(heard.samples()));
      out.println("hung up by: " + hungUp);
      return 0;
    }
  }

  private static List<Response> responsesOf(SipTestClient client, SipTestCall call) {
    List<Response> mine = new ArrayList<>();
    for (Response r : client.responses()) {
      if (call.callId().equals(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId())
          && Request.INVITE.equals(((javax.sip.header.CSeqHeader) r.getHeader(javax.sip.header.CSeqHeader.NAME)).getMethod())) {
        mine.add(r);
      }
    }
    return mine;
  }

  /** The RMS level in dBFS, or "silence". */
  static String level(short[] pcm) {
    if (pcm.length == 0) {
      return "no audio came back";
    }
    double sum = 0;
    for (short s : pcm) {
      sum += (double) s * s;
    }
    double rms = Math.sqrt(sum / pcm.length) / 32768.0;
    return rms < 1e-4 ? "silence" : String.format(Locale.ROOT, "level %.0f dBFS", 20 * Math.log10(rms));
  }

  private static InetAddress resolve(String host) throws UnknownHostException {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    for (InetAddress a : InetAddress.getAllByName(h)) {
      if (a instanceof Inet4Address) {
        return a;
      }
    }
    throw new UnknownHostException(host + " has no IPv4 address (the call's SDP is IPv4)");
  }

  /** The local address the system would send from to reach {@code server} (no packet is sent). */
  private static InetAddress localAddressTowards(InetAddress server, int port) throws Exception {
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(server, port);
      InetAddress a = probe.getLocalAddress();
      return a.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : a;
    }
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String checkNumber(String v, String what) {
    if (!NUMBER.matcher(v).matches()) {
      throw new IllegalArgumentException(what + " " + v + " is not a number or SIP user part");
    }
    return v;
  }

  private static double decimal(String v, String what, double min, double max) {
    try {
      double d = Double.parseDouble(v);
      if (d >= min && d <= max) {
        return d;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(what + " must be a number " + (int) min + ".." + (int) max + ", not " + v);
  }
}
