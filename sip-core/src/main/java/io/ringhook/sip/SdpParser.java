package io.ringhook.sip;

import io.ringhook.sip.MediaParams.Direction;
import io.ringhook.sip.SdpDescription.Connection;
import io.ringhook.sip.SdpDescription.Media;
import io.ringhook.sip.SdpDescription.Origin;
import io.ringhook.sip.SdpDescription.RtpMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The RFC 4566 parser behind {@link SdpDescription#parse}: strict about the lines negotiation relies on
 * (v=, c=, m=), lenient about everything else, because real peers send all sorts of extra lines.
 */
final class SdpParser {

  /** Far above any real audio offer; a bound so a hostile body cannot make us build huge structures. */
  static final int MAX_LENGTH = 64 * 1024;
  private static final int MALFORMED = 399;

  private Optional<Origin> origin = Optional.empty();
  private Optional<Connection> connection = Optional.empty();
  private Optional<Direction> direction = Optional.empty();
  private final List<Media> media = new ArrayList<>();
  private MediaBuilder current;

  private SdpParser() {
  }

  static SdpDescription parse(String text) throws SdpException {
    if (text == null || text.isBlank()) {
      throw new SdpException(MALFORMED, "empty session description");
    }
    if (text.length() > MAX_LENGTH) {
      throw new SdpException(MALFORMED, "session description longer than " + MAX_LENGTH + " characters");
    }
    SdpParser parser = new SdpParser();
    boolean seenVersion = false;
    int number = 0;
    for (int start = 0, end; start < text.length(); start = next(text, end)) {
      end = lineEnd(text, start);
      number++;
      String line = text.substring(start, end).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (!seenVersion) {
        if (!line.equals("v=0")) {
          throw new SdpException(MALFORMED, "not SDP: the first line must be v=0, got '" + clip(line) + "'");
        }
        seenVersion = true;
        continue;
      }
      if (line.length() < 2 || line.charAt(1) != '=') {
        continue; // not a type=value line: tolerated like any unknown line
      }
      parser.line(number, line.charAt(0), line.substring(2).strip());
    }
    parser.finishMedia();
    return new SdpDescription(parser.origin, parser.connection, parser.direction, parser.media);
  }

  /** Where the line starting at {@code start} ends: its CR, LF or the end of the text. */
  private static int lineEnd(String text, int start) {
    int i = start;
    while (i < text.length() && text.charAt(i) != '\r' && text.charAt(i) != '\n') {
      i++;
    }
    return i;
  }

  /** Where the line after the one ending at {@code end} starts: past its CRLF, CR or LF. */
  private static int next(String text, int end) {
    if (end < text.length() && text.charAt(end) == '\r') {
      end++;
    }
    return end < text.length() && text.charAt(end) == '\n' ? end + 1 : end;
  }

  /**
   * {@code value}'s fields, split at runs of whitespace (what the regex {@code \s+} matches), at most
   * {@code limit} of them (the last then holds the rest), or all of them when {@code limit} is 0.
   * {@code value} is stripped, so no field is empty unless the value is; "" gives one empty field.
   * A plain scan, for every SDP line of every INVITE: with regex splits, parsing and answering an offer
   * took 10.2 microseconds, with this 6.4 (JMH {@code SipCallBench.sdpAnswer}).
   */
  static String[] fields(String value, int limit) {
    List<String> out = new ArrayList<>(8);
    int i = 0;
    int n = value.length();
    while (true) {
      if (limit > 0 && out.size() == limit - 1) {
        out.add(value.substring(i));
        break;
      }
      int start = i;
      while (i < n && !space(value.charAt(i))) {
        i++;
      }
      out.add(value.substring(start, i));
      while (i < n && space(value.charAt(i))) {
        i++;
      }
      if (i >= n) {
        break;
      }
    }
    return out.toArray(new String[0]);
  }

  /** The characters of the regex {@code \s}. */
  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  private void line(int number, char type, String value) throws SdpException {
    switch (type) {
      case 'o' -> origin = origin(value);
      case 'c' -> {
        Connection c = connection(number, value);
        if (current == null) {
          connection = Optional.of(c);
        } else {
          current.connection = Optional.of(c);
        }
      }
      case 'm' -> {
        finishMedia();
        current = mediaLine(number, value);
      }
      case 'a' -> attribute(value);
      default -> {
        // v, s, i, u, e, p, b, t, r, z, k and unknown types carry nothing negotiation needs.
      }
    }
  }

  private static Optional<Origin> origin(String value) {
    String[] f = fields(value, 0);
    // A malformed o= does not stop a call: nothing in audio negotiation depends on it.
    return f.length == 6 ? Optional.of(new Origin(f[0], f[1], f[2], f[4], f[5])) : Optional.empty();
  }

  private static Connection connection(int number, String value) throws SdpException {
    String[] f = fields(value, 0);
    if (f.length != 3) {
      throw new SdpException(MALFORMED, "line " + number + ": c= needs <nettype> <addrtype> <address>, got '"
          + clip(value) + "'");
    }
    String address = f[2];
    int slash = address.indexOf('/');
    if (slash >= 0) {
      address = address.substring(0, slash); // multicast TTL / address count
    }
    return new Connection(f[0], f[1].toUpperCase(Locale.ROOT), address);
  }

  private static MediaBuilder mediaLine(int number, String value) throws SdpException {
    String[] f = fields(value, 0);
    if (f.length < 3) {
      throw new SdpException(MALFORMED, "line " + number + ": m= needs <media> <port> <proto> <fmt>..., got '"
          + clip(value) + "'");
    }
    String port = f[1];
    int slash = port.indexOf('/');
    if (slash >= 0) {
      port = port.substring(0, slash); // <port>/<number of ports>: we use the first
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 0 || p > 65535) {
      throw new SdpException(MALFORMED, "line " + number + ": m= port must be 0..65535, got '" + f[1] + "'");
    }
    return new MediaBuilder(f[0], p, f[2], List.of(Arrays.copyOfRange(f, 3, f.length)));
  }

  private void attribute(String value) {
    int colon = value.indexOf(':');
    String name = (colon < 0 ? value : value.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
    String arg = colon < 0 ? "" : value.substring(colon + 1).strip();
    Optional<Direction> dir = switch (name) {
      case "sendrecv" -> Optional.of(Direction.SENDRECV);
      case "sendonly" -> Optional.of(Direction.SENDONLY);
      case "recvonly" -> Optional.of(Direction.RECVONLY);
      case "inactive" -> Optional.of(Direction.INACTIVE);
      default -> Optional.empty();
    };
    if (dir.isPresent()) {
      if (current == null) {
        direction = dir;
      } else {
        current.direction = dir;
      }
      return;
    }
    if (current == null) {
      return; // session-level rtpmap/fmtp/ptime are not defined by RFC 4566
    }
    switch (name) {
      case "rtpmap" -> rtpMap(arg);
      case "fmtp" -> {
        String[] f = fields(arg, 2);
        current.fmtps.putIfAbsent(f[0], f.length > 1 ? f[1] : "");
      }
      case "ptime" -> {
        try {
          current.ptime = OptionalInt.of(Integer.parseInt(arg));
        } catch (NumberFormatException e) {
          // a=ptime is only a hint (RFC 4566 section 6): ignore one we cannot read
        }
      }
      default -> {
      }
    }
  }

  private void rtpMap(String arg) {
    String[] f = fields(arg, 2);
    if (f.length != 2) {
      return;
    }
    String[] enc = f[1].strip().split("/", 3);
    if (enc.length < 2) {
      return;
    }
    try {
      int rate = Integer.parseInt(enc[1].strip());
      Optional<String> params = enc.length == 3 ? Optional.of(enc[2].strip()) : Optional.empty();
      current.rtpMaps.putIfAbsent(f[0], new RtpMap(enc[0].strip(), rate, params));
    } catch (NumberFormatException e) {
      // an rtpmap we cannot read leaves the format unknown, which makes it unusable
    }
  }

  private void finishMedia() {
    if (current != null) {
      media.add(new Media(current.type, current.port, current.proto, current.formats, current.connection,
          current.rtpMaps, current.fmtps, current.direction, current.ptime));
      current = null;
    }
  }

  private static String clip(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }

  private static final class MediaBuilder {
    final String type;
    final int port;
    final String proto;
    final List<String> formats;
    Optional<Connection> connection = Optional.empty();
    final Map<String, RtpMap> rtpMaps = new HashMap<>();
    final Map<String, String> fmtps = new HashMap<>();
    Optional<Direction> direction = Optional.empty();
    OptionalInt ptime = OptionalInt.empty();

    MediaBuilder(String type, int port, String proto, List<String> formats) {
      this.type = type;
      this.port = port;
      this.proto = proto;
      this.formats = formats;
    }
  }
}
