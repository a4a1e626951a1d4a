package io.ringhook.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.sip.SipFactory;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The answer to a request the stack cannot parse. The RI's own answer is a 400 whose reason phrase
 * carries the parser's detail (e.g. {@code ([C@f70e5d2 getNextChar: End of buffer)}), with a blank
 * line inside its header block and the bad request echoed back as its body. Instead, this parser
 * (the stack's, wrapped) answers {@code 400 Bad Request} itself: the request's Via, From, To,
 * Call-ID and CSeq when each of them parses, nothing else, sent statelessly to the source address
 * (RFC 3261 18.2.2); when they do not parse, nothing can be answered and the message is dropped.
 * Either way the stack then sees no message, and the detail goes to the log, once per 10 s at most.
 */
final class BadRequests implements MessageParserFactory {
  private static final Logger LOG = LoggerFactory.getLogger(BadRequests.class);
  private static final List<String> ECHOED =
      List.of("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "content-length", "l", "max-forwards");

  private final StringMsgParserFactory delegate = new StringMsgParserFactory();
  private final RateLimitedLog log;
  private final LongAdder answered = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final MessageFactory messages;
  private final HeaderFactory headers;
  private final String server;

  BadRequests(String userAgent, LongSupplier nanoTime) {
    this.log = new RateLimitedLog(LOG, Level.INFO, Duration.ofSeconds(10), nanoTime);
    this.server = userAgent;
    try {
      SipFactory f = SipFactory.getInstance();
      this.messages = f.createMessageFactory();
      this.headers = f.createHeaderFactory();
    } catch (javax.sip.PeerUnavailableException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Malformed requests answered with our 400, and malformed messages dropped, since start. */
  long answered() {
    return answered.sum();
  }

  long dropped() {
    return dropped.sum();
  }

  @Override
  public MessageParser createMessageParser(SIPTransactionStack stack) {
    MessageParser parser = delegate.createMessageParser(stack);
    return (bytes, readBody, strict, listener) -> {
      try {
        SIPMessage m = parser.parseSIPMessage(bytes, readBody, strict, listener);
        if (m instanceof gov.nist.javax.sip.message.SIPRequest req && !"ACK".equals(req.getMethod())) {
          String duplicated = duplicated(bytes);
          if (duplicated != null) {
            // The RI's parser keeps one of two Call-IDs (CSeqs, ...) silently; RFC 4475 3.1.2.19 asks for 400.
            throw new ParseException(duplicated + " appears more than once", 0);
          }
        }
        if (m instanceof gov.nist.javax.sip.message.SIPRequest r) {
          // The RI's parser reads any version as SIP/2.0; keep the one sent, so that the stack (UDP)
          // or RequestScreen answers 505 (RFC 3261 8.2.2.1 asks for it).
          version(bytes).ifPresent(v -> r.getRequestLine().setSipVersion(v));
        }
        return m;
      } catch (ParseException e) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean sent = !text.startsWith("SIP/") && !text.startsWith("ACK ") && answer(text, listener);
        (sent ? answered : dropped).increment();
        log.log("malformed SIP message from {} {}: {}", source(listener), sent ? "answered 400" : "dropped",
            Logfmt.quote(String.valueOf(e.getMessage())));
        return null; // the RI drops a message its parser returns none for, quietly
      }
    };
  }

  /** Sends our 400 for {@code text} over the channel it came in on; false when it cannot be built. */
  private boolean answer(String text, ParseExceptionListener listener) {
    if (!(listener instanceof MessageChannel channel)) {
      return false;
    }
    Map<String, List<String>> lines = headerLines(text);
    try {
      List<ViaHeader> vias = new ArrayList<>();
      for (String v : lines.getOrDefault("via", List.of())) {
        for (String one : v.split(",")) {
          vias.add((ViaHeader) headers.createHeader(ViaHeader.NAME, one.trim()));
        }
      }
      if (vias.isEmpty()) {
        return false;
      }
      ToHeader to = (ToHeader) headers.createHeader(ToHeader.NAME, single(lines, "to"));
      if (to.getTag() == null) {
        to.setTag(Responder.newTag());
      }
      Response r = messages.createResponse(Response.BAD_REQUEST,
          (CallIdHeader) headers.createHeader(CallIdHeader.NAME, single(lines, "call-id")),
          (CSeqHeader) headers.createHeader(CSeqHeader.NAME, single(lines, "cseq")),
          (FromHeader) headers.createHeader(FromHeader.NAME, single(lines, "from")), to, vias,
          headers.createMaxForwardsHeader(70));
      r.setReasonPhrase("Bad Request");
      r.removeHeader("Max-Forwards");
      r.setHeader(headers.createServerHeader(List.of(server)));
      ViaHeader top = vias.get(0);
      int port = top.getPort() > 0 ? top.getPort() : 5060;
      if (channel.isReliable()) {
        channel.sendMessage((SIPMessage) r); // back on the connection it came in on
      } else {
        channel.sendMessage((SIPMessage) r, InetAddress.getByName(channel.getPeerAddress()), port);
      }
      return true;
    } catch (Exception e) {
      return false; // a header the response needs does not parse: nothing well-formed can be said
    }
  }

  /** The version at the end of a request line other than SIP/2.0, e.g. {@code SIP/7.0}. */
  private static java.util.Optional<String> version(byte[] bytes) {
    int n = 0;
    while (n < bytes.length && n < 2048 && bytes[n] != '\r' && bytes[n] != '\n') {
      n++;
    }
    String line = new String(bytes, 0, n, StandardCharsets.US_ASCII).trim();
    String v = line.substring(line.lastIndexOf(' ') + 1);
    return v.equalsIgnoreCase("SIP/2.0") || !v.regionMatches(true, 0, "SIP/", 0, 4)
        ? java.util.Optional.empty() : java.util.Optional.of(v.toUpperCase(Locale.ROOT));
  }

  /** The first value of {@code name}: the one a 400 for a duplicated header echoes. */
  private static String single(Map<String, List<String>> lines, String name) throws ParseException {
    List<String> values = lines.getOrDefault(name, List.of());
    if (values.isEmpty()) {
      throw new ParseException("no " + name, 0);
    }
    return values.get(0);
  }

  /** The single-valued headers checked for duplicates, long and compact forms (RFC 3261 7.3.1, 7.3.3). */
  private static final String[][] SINGLE = {
      {"call-id", "i"}, {"cseq"}, {"from", "f"}, {"to", "t"}, {"content-length", "l"}, {"max-forwards"}};

  /**
   * The name of a single-valued header the request has twice (RFC 3261 7.3.1), or null. Runs on every
   * request, so it scans the header block's bytes in place: no string, split or map per message
   * (the version that did cost more CPU than parsing the Call-ID itself).
   */
  static String duplicated(byte[] bytes) {
    int[] seen = new int[SINGLE.length];
    int n = bytes.length;
    int line = next(bytes, 0); // the request line is not a header
    while (line < n && bytes[line] != '\r' && bytes[line] != '\n') {
      int eol = line;
      int colon = -1;
      while (eol < n && bytes[eol] != '\r' && bytes[eol] != '\n') {
        if (colon < 0 && bytes[eol] == ':') {
          colon = eol;
        }
        eol++;
      }
      if (colon > line && bytes[line] != ' ' && bytes[line] != '\t') { // a folded line continues the last
        int end = colon;
        while (end > line && (bytes[end - 1] == ' ' || bytes[end - 1] == '\t')) {
          end--;
        }
        for (int h = 0; h < SINGLE.length; h++) {
          for (String name : SINGLE[h]) {
            if (named(bytes, line, end, name) && ++seen[h] > 1) {
              return SINGLE[h][0];
            }
          }
        }
      }
      line = next(bytes, eol);
    }
    return null;
  }

  /** The index after the line break at or after {@code i} (CRLF or a bare LF). */
  private static int next(byte[] bytes, int i) {
    while (i < bytes.length && bytes[i] != '\n') {
      i++;
    }
    return i + 1;
  }

  private static boolean named(byte[] bytes, int from, int to, String name) {
    if (to - from != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      int b = bytes[from + i];
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static final java.util.regex.Pattern BLANK_LINE = java.util.regex.Pattern.compile("\r?\n\r?\n");
  private static final java.util.regex.Pattern FOLD = java.util.regex.Pattern.compile("\r?\n[ \t]+");
  private static final java.util.regex.Pattern LINE_BREAK = java.util.regex.Pattern.compile("\r?\n");

  /** The request's Via, From, To, Call-ID and CSeq values by long lower-case name (folded lines joined). */
  private static Map<String, List<String>> headerLines(String text) {
    // Lines end in CRLF or a bare LF (RFC 3261 7.5 asks us to be tolerant; duplicated() reads both).
    java.util.regex.Matcher blank = BLANK_LINE.matcher(text);
    String head = FOLD.matcher(blank.find() ? text.substring(0, blank.start()) : text).replaceAll(" ");
    Map<String, List<String>> out = new LinkedHashMap<>();
    String[] lines = LINE_BREAK.split(head);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (ECHOED.contains(name)) {
        out.computeIfAbsent(longName(name), k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
      }
    }
    return out;
  }

  private static String longName(String name) {
    return switch (name) {
      case "v" -> "via";
      case "f" -> "from";
      case "t" -> "to";
      case "i" -> "call-id";
      case "l" -> "content-length";
      default -> name;
    };
  }

  private static String source(ParseExceptionListener listener) {
    return listener instanceof MessageChannel c ? c.getPeerAddress() : "?";
  }
}
