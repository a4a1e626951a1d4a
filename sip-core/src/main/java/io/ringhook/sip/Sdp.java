package io.ringhook.sip;

import io.ringhook.sip.MediaParams.Direction;
import io.ringhook.sip.SdpDescription.Connection;
import io.ringhook.sip.SdpDescription.Media;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * SDP offer/answer (RFC 3264) for one G.711 audio stream with RFC 4733 telephone-events.
 *
 * <p>We speak PCMU (payload type 0) and PCMA (8) at 20 ms, and receive DTMF as telephone-event
 * 0-16. Answering picks, from the first active RTP/AVP audio m-line that offers 0 or 8, whichever of
 * the two the offer lists first (the offerer's preference); every other m-line is refused with port 0.
 * Bodies are written with CRLF line ends and an o= username of {@code ringhook}.
 */
public final class Sdp {
  /** The payload type we offer for telephone-event (the common choice; answers may use another). */
  public static final int TELEPHONE_EVENT_PT = 101;
  /** The packet time we send and ask for, in milliseconds. */
  public static final int PTIME_MS = 20;

  private static final String CRLF = "\r\n";
  private static final int MAX_REASON = 200;
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern TOKEN = Pattern.compile("[!-~]+");

  private Sdp() {
  }

  /**
   * Answers an SDP offer: the answer text and the negotiated stream, or why nothing in it is usable.
   *
   * <p>Whether the offer is acceptable, and the negotiated stream, do not depend on the local address,
   * port or o= values: a caller that opens its RTP port only later decides between 488 and ringing with
   * {@link #refusal}, and calls this with the real port for the answer text.
   *
   * @param offer          the offer body as received
   * @param localAddress   our RTP address for o= and c= (IPv4 or IPv6 literal, or a host name)
   * @param localPort      our RTP port, 1..65535
   * @param sessionId      the o= session id, fixed for the whole call
   * @param sessionVersion the o= version: the caller increments it for each new description in the call
   */
  public static SdpAnswer answer(String offer, String localAddress, int localPort, long sessionId,
                                 long sessionVersion) {
    checkLocal(localAddress, localPort, sessionId, sessionVersion);
    SdpDescription parsed;
    try {
      parsed = SdpDescription.parse(offer);
    } catch (SdpException e) {
      return notAcceptable(e);
    }
    return answer(parsed, localAddress, localPort, sessionId, sessionVersion);
  }

  /** {@link #answer(String, String, int, long, long)} for an offer that is already parsed. */
  public static SdpAnswer answer(SdpDescription offer, String localAddress, int localPort, long sessionId,
                                 long sessionVersion) {
    Objects.requireNonNull(offer, "offer");
    checkLocal(localAddress, localPort, sessionId, sessionVersion);
    Choice c = choose(offer);
    return c.refusal() != null ? c.refusal() : new SdpAnswer.Accepted(
        render(offer, c.index(), c.params(), localAddress, localPort, sessionId, sessionVersion), c.params());
  }

  /**
   * Why nothing in {@code offer} is usable, or empty when {@link #answer} would accept it: the choice
   * between 488 and ringing, without rendering an answer that would be thrown away.
   */
  static Optional<SdpAnswer.NotAcceptable> refusal(SdpDescription offer) {
    return Optional.ofNullable(choose(Objects.requireNonNull(offer, "offer")).refusal());
  }

  /** The offer's stream chosen (its index and negotiated parameters), or, with no usable one, why. */
  private record Choice(int index, MediaParams params, SdpAnswer.NotAcceptable refusal) {}

  /** The first usable audio stream of {@code offer}. */
  private static Choice choose(SdpDescription offer) {
    List<String> problems = new ArrayList<>();
    int warning = 0;
    for (int i = 0; i < offer.media().size(); i++) {
      Media m = offer.media().get(i);
      if (!m.type().equalsIgnoreCase("audio") || m.port() == 0) {
        continue;
      }
      try {
        return new Choice(i, negotiate(offer, m), null);
      } catch (SdpException e) {
        warning = warning == 0 ? e.warningCode() : warning;
        problems.add("m-line " + (i + 1) + ": " + e.getMessage());
      }
    }
    if (problems.isEmpty()) {
      List<String> offered = offer.media().stream().map(m -> m.type() + " port " + m.port()).toList();
      return new Choice(-1, null, notAcceptable(304, "no active audio stream in the offer " + offered));
    }
    return new Choice(-1, null, notAcceptable(warning, String.join("; ", problems)));
  }

  /** The refusal an offer that does not parse earns (its warning code and why). */
  static SdpAnswer.NotAcceptable notAcceptable(SdpException e) {
    return notAcceptable(e.warningCode(), e.getMessage());
  }

  /**
   * A refusal whose reason is safe as the quoted text of a Warning header: the reason quotes parts of
   * the peer's SDP, so quotes, backslashes and non-ASCII are replaced and the length is bounded.
   */
  private static SdpAnswer.NotAcceptable notAcceptable(int warningCode, String reason) {
    StringBuilder safe = new StringBuilder(Math.min(reason.length(), MAX_REASON));
    for (int i = 0; i < reason.length() && safe.length() < MAX_REASON; i++) {
      char c = reason.charAt(i);
      safe.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
    }
    return new SdpAnswer.NotAcceptable(warningCode, safe.toString());
  }

  /**
   * Our offer, for an INVITE that came without one: PCMU, PCMA and telephone-event 101, sendrecv.
   *
   * @param localAddress   our RTP address for o= and c=
   * @param localPort      our RTP port, 1..65535
   * @param sessionId      the o= session id
   * @param sessionVersion the o= version
   */
  public static String offer(String localAddress, int localPort, long sessionId, long sessionVersion) {
    checkLocal(localAddress, localPort, sessionId, sessionVersion);
    StringBuilder sdp = header(localAddress, sessionId, sessionVersion);
    line(sdp, "m=audio " + localPort + " RTP/AVP 0 8 " + TELEPHONE_EVENT_PT);
    line(sdp, "a=rtpmap:0 PCMU/8000");
    line(sdp, "a=rtpmap:8 PCMA/8000");
    line(sdp, "a=rtpmap:" + TELEPHONE_EVENT_PT + " telephone-event/8000");
    line(sdp, "a=fmtp:" + TELEPHONE_EVENT_PT + " 0-16");
    line(sdp, "a=ptime:" + PTIME_MS);
    line(sdp, "a=sendrecv");
    return sdp.toString();
  }

  /**
   * The stream negotiated by the answer to {@link #offer} (the SDP in the ACK, when our offer was in the
   * 200 OK): the codec the answer lists first of PCMU and PCMA, its telephone-event payload type.
   *
   * @throws SdpException when the answer is malformed, refuses the audio stream (port 0) or chose no
   *                      codec we offered; the call should then be ended with BYE
   */
  public static MediaParams acceptAnswer(String answer) throws SdpException {
    SdpDescription parsed = SdpDescription.parse(answer);
    if (parsed.media().isEmpty()) {
      throw new SdpException(304, "the answer has no m= line");
    }
    // RFC 3264 section 6: the answer's m-lines match the offer's, and our offer has just the one.
    Media m = parsed.media().get(0);
    if (!m.type().equalsIgnoreCase("audio")) {
      throw new SdpException(304, "the answer's first m= line is " + m.type() + ", not audio");
    }
    if (m.port() == 0) {
      throw new SdpException(304, "the answer refused the audio stream (port 0)");
    }
    try {
      return negotiate(parsed, m);
    } catch (SdpException e) {
      throw new SdpException(e.warningCode(), "answer: " + e.getMessage());
    }
  }

  /** The stream from our side for an active audio m-line of a description from the peer. */
  private static MediaParams negotiate(SdpDescription d, Media m) throws SdpException {
    if (!m.isActiveRtpAudio()) {
      throw new SdpException(302, "transport " + m.proto() + " is not RTP/AVP (no SRTP or feedback profiles)");
    }
    Connection c = m.connection().or(d::connection)
        .orElseThrow(() -> new SdpException(399, "no c= line at session or media level"));
    if (!c.isInternet()) {
      throw new SdpException(300, "c= " + c.netType() + " " + c.addrType() + " is not IN IP4 or IN IP6");
    }
    int codec = m.formats().stream().filter(f -> f.equals("0") || f.equals("8"))
        .mapToInt(Integer::parseInt).findFirst()
        .orElseThrow(() -> new SdpException(305, "no PCMU (0) or PCMA (8) among the formats " + describe(m)));
    int events = m.formats().stream()
        .filter(f -> m.rtpMap(f).filter(r -> r.is("telephone-event", 8000)).isPresent())
        .mapToInt(Sdp::dynamicPt).filter(pt -> pt >= 96).findFirst().orElse(-1);
    Direction theirs = m.direction().or(d::direction).orElse(Direction.SENDRECV);
    if (c.isHold()) {
      // RFC 3264 section 8.4: c=0.0.0.0 means "do not send to me", as a=sendonly does.
      theirs = theirs.sends() ? Direction.SENDONLY : Direction.INACTIVE;
    }
    return new MediaParams(socketAddress(c.address(), m.port()), codec, events, reverse(theirs));
  }

  /** RFC 3264 section 6.1: our direction is the mirror of the peer's. */
  static Direction reverse(Direction theirs) {
    return switch (theirs) {
      case SENDRECV -> Direction.SENDRECV;
      case SENDONLY -> Direction.RECVONLY;
      case RECVONLY -> Direction.SENDONLY;
      case INACTIVE -> Direction.INACTIVE;
    };
  }

  private static String render(SdpDescription offer, int chosen, MediaParams params, String localAddress,
                               int localPort, long sessionId, long sessionVersion) {
    StringBuilder sdp = header(localAddress, sessionId, sessionVersion);
    for (int i = 0; i < offer.media().size(); i++) {
      Media m = offer.media().get(i);
      if (i != chosen) {
        // RFC 3264 section 6: a refused stream keeps its m-line, with port 0 and the offered formats.
        line(sdp, "m=" + m.type() + " 0 " + m.proto() + formats(m.formats()));
        continue;
      }
      int pt = params.payloadType();
      int te = params.telephoneEventPt();
      line(sdp, "m=audio " + localPort + " " + m.proto() + " " + pt + (te < 0 ? "" : " " + te));
      line(sdp, "a=rtpmap:" + pt + (pt == 0 ? " PCMU/8000" : " PCMA/8000"));
      if (te >= 0) {
        line(sdp, "a=rtpmap:" + te + " telephone-event/8000");
        line(sdp, "a=fmtp:" + te + " 0-16");
      }
      line(sdp, "a=ptime:" + PTIME_MS);
      line(sdp, "a=" + params.direction().name().toLowerCase(Locale.ROOT));
    }
    return sdp.toString();
  }

  private static StringBuilder header(String localAddress, long sessionId, long sessionVersion) {
    String addr = (localAddress.indexOf(':') >= 0 ? "IP6 " : "IP4 ") + localAddress;
    StringBuilder sdp = new StringBuilder(256);
    line(sdp, "v=0");
    line(sdp, "o=ringhook " + sessionId + " " + sessionVersion + " IN " + addr);
    line(sdp, "s=ringhook");
    line(sdp, "c=IN " + addr);
    line(sdp, "t=0 0");
    return sdp;
  }

  private static void line(StringBuilder sdp, String line) {
    sdp.append(line).append(CRLF);
  }

  private static String formats(List<String> formats) {
    return formats.isEmpty() ? "" : " " + String.join(" ", formats);
  }

  private static String describe(Media m) {
    return m.formats().stream()
        .map(f -> f + m.rtpMap(f).map(r -> " " + r).orElse(""))
        .toList().toString();
  }

  private static int dynamicPt(String format) {
    try {
      int pt = Integer.parseInt(format);
      return pt <= 127 ? pt : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The socket address of a c= address. Literals are converted without DNS; a host name (RFC 4566
   * allows an FQDN) stays unresolved for the media layer to resolve off the SIP thread.
   */
  static InetSocketAddress socketAddress(String address, int port) throws SdpException {
    var v4 = IPV4.matcher(address);
    if (v4.matches()) {
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(v4.group(i + 1));
        if (octet > 255) {
          throw new SdpException(301, "bad IPv4 address in c=: " + address);
        }
        b[i] = (byte) octet;
      }
      return new InetSocketAddress(literal(b, address), port);
    }
    if (address.indexOf(':') >= 0) {
      try {
        // The brackets make InetAddress parse an IPv6 literal or fail; it never does a DNS lookup for them.
        return new InetSocketAddress(InetAddress.getByName("[" + address + "]"), port);
      } catch (UnknownHostException e) {
        throw new SdpException(301, "bad IPv6 address in c=: " + address);
      }
    }
    return InetSocketAddress.createUnresolved(address, port);
  }

  private static InetAddress literal(byte[] bytes, String text) throws SdpException {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new SdpException(301, "bad address in c=: " + text);
    }
  }

  private static void checkLocal(String localAddress, int localPort, long sessionId, long sessionVersion) {
    Objects.requireNonNull(localAddress, "localAddress");
    if (!TOKEN.matcher(localAddress).matches()) {
      throw new IllegalArgumentException("localAddress must be an address without spaces, got '" + localAddress + "'");
    }
    if (localPort < 1 || localPort > 65535) {
      throw new IllegalArgumentException("localPort must be 1..65535, got " + localPort);
    }
    if (sessionId < 0 || sessionVersion < 0) {
      throw new IllegalArgumentException(
          "sessionId and sessionVersion must be >= 0, got " + sessionId + " and " + sessionVersion);
    }
  }
}
