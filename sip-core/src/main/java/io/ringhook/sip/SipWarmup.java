package io.ringhook.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Optional;
import java.util.function.LongSupplier;
import javax.sip.SipFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Response;

/**
 * Synthetic INVITEs through the SIP hot paths, before the port opens: the RI's parser, response
 * building and encoding (100, 180, 200 with SDP, 503 with Retry-After), the SDP answer and the
 * number normalisation. A freshly started JVM interprets these for its first thousands of calls,
 * which at a campaign's first second is what made the backlog that collapsed it.
 */
final class SipWarmup {
  private SipWarmup() {}

  /** Runs rounds until {@code deadlineNanos} of {@code nanoTime}; returns how many rounds ran. */
  static long run(long deadlineNanos, LongSupplier nanoTime) {
    try {
      SipFactory factory = SipFactory.getInstance();
      factory.setPathName("gov.nist");
      MessageFactory messages = factory.createMessageFactory();
      HeaderFactory headers = factory.createHeaderFactory();
      StringMsgParser parser = new StringMsgParser();
      long rounds = 0;
      while (nanoTime.getAsLong() < deadlineNanos) {
        round(parser, messages, headers, rounds++);
      }
      return rounds;
    } catch (javax.sip.PeerUnavailableException | ParseException | javax.sip.InvalidArgumentException e) {
      throw new IllegalStateException("SIP warm-up failed: " + e.getMessage(), e);
    }
  }

  private static void round(StringMsgParser parser, MessageFactory messages, HeaderFactory headers, long i)
      throws ParseException, javax.sip.InvalidArgumentException {
    byte[] invite = invite(i).getBytes(StandardCharsets.UTF_8);
    SIPRequest request = (SIPRequest) parser.parseSIPMessage(invite, true, false, null);
    String offer = new String(request.getRawContent(), StandardCharsets.UTF_8);
    SdpAnswer answer = Sdp.answer(offer, "127.0.0.1", 20000, i, 1);
    PhoneNumbers.caller(null, request.getFrom().getAddress().toString(), Optional.of("1"));
    PhoneNumbers.dialed(request.getRequestURI().toString(),
        ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI().toString(), Optional.of("1"));
    for (int status : new int[] {Response.TRYING, Response.RINGING, Response.OK, Response.SERVICE_UNAVAILABLE}) {
      Response r = messages.createResponse(status, request);
      ((ToHeader) r.getHeader(ToHeader.NAME)).setTag("w" + i);
      if (status == Response.OK && answer instanceof SdpAnswer.Accepted accepted) {
        r.setContent(accepted.sdp(), headers.createContentTypeHeader("application", "sdp"));
      } else if (status == Response.SERVICE_UNAVAILABLE) {
        r.setHeader(headers.createRetryAfterHeader(5));
      }
      r.toString().getBytes(StandardCharsets.UTF_8);
    }
    parser.parseSIPMessage(bye(i).getBytes(StandardCharsets.UTF_8), true, false, null);
  }

  private static String invite(long i) {
    String sdp = "v=0\r\no=warm " + i + " 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
    return "INVITE sip:+1555100" + (i % 10_000) + "@127.0.0.1:5060 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-warm-" + i + "\r\n"
        + "From: \"warm\" <sip:+15550009999@127.0.0.1:5070>;tag=w" + i + "\r\n"
        + "To: <sip:+15551000000@127.0.0.1:5060>\r\n"
        + "Call-ID: warm-" + i + "@127.0.0.1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:+15550009999@127.0.0.1:5070;transport=udp>\r\n"
        + "Max-Forwards: 70\r\nUser-Agent: warm-up\r\nContent-Type: application/sdp\r\n"
        + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
  }

  private static String bye(long i) {
    return "BYE sip:ringhook@127.0.0.1:5060 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-warmbye-" + i + "\r\n"
        + "From: \"warm\" <sip:+15550009999@127.0.0.1:5070>;tag=w" + i + "\r\n"
        + "To: <sip:+15551000000@127.0.0.1:5060>;tag=r" + i + "\r\n"
        + "Call-ID: warm-" + i + "@127.0.0.1\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  }
}
