package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.MediaParams.Direction;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SdpTest {
  private static final String HEAD = "v=0\no=peer 1 1 IN IP4 198.51.100.1\ns=-\nc=IN IP4 198.51.100.1\nt=0 0\n";

  private static SdpAnswer.Accepted accept(String offer) {
    return assertInstanceOf(SdpAnswer.Accepted.class, Sdp.answer(offer, "203.0.113.7", 20000, 42, 1));
  }

  private static SdpAnswer.NotAcceptable refuse(String offer) {
    return assertInstanceOf(SdpAnswer.NotAcceptable.class, Sdp.answer(offer, "203.0.113.7", 20000, 42, 1));
  }

  private static InetSocketAddress at(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  @Test
  void answersBaresipOfferExactly() throws Exception {
    SdpAnswer.Accepted a = accept(SdpDescriptionTest.BARESIP);
    assertEquals(new MediaParams(at("127.0.0.1", 20466), 0, 101, Direction.SENDRECV), a.media());
    assertEquals("""
        v=0\r
        o=ringhook 42 1 IN IP4 203.0.113.7\r
        s=ringhook\r
        c=IN IP4 203.0.113.7\r
        t=0 0\r
        m=audio 20000 RTP/AVP 0 101\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-16\r
        a=ptime:20\r
        a=sendrecv\r
        """, a.sdp());
  }

  // Columns: m-line formats and attributes (\n between lines) | chosen PT | telephone-event PT (-1 none)
  @ParameterizedTest(name = "[{index}] {0} -> {1}, {2}")
  @CsvSource(delimiter = '|', textBlock = """
      m=audio 4000 RTP/AVP 0 8 101\\na=rtpmap:101 telephone-event/8000                | 0 | 101
      m=audio 4000 RTP/AVP 8 0 101\\na=rtpmap:101 telephone-event/8000                | 8 | 101
      m=audio 4000 RTP/AVP 18 8 0                                                   | 8 | -1
      m=audio 4000 RTP/AVP 9 0 96\\na=rtpmap:96 TELEPHONE-EVENT/8000\\na=fmtp:96 0-15  | 0 | 96
      m=audio 4000 RTP/AVP 0 101\\na=rtpmap:101 telephone-event/48000                | 0 | -1
      m=audio 4000 RTP/AVP 0 100 101\\na=rtpmap:100 telephone-event/16000\\na=rtpmap:101 telephone-event/8000 | 0 | 101
      m=audio 4000 RTP/AVP 8                                                        | 8 | -1
      m=audio 4000 rtp/avp 8                                                        | 8 | -1
      m=audio 4000 RTP/AVP 0 13                                                     | 0 | -1
      """)
  void choosesFirstG711InOfferOrderAndTelephoneEvent(String mline, int pt, int te) {
    SdpAnswer.Accepted a = accept(HEAD + mline.replace("\\n", "\n"));
    assertEquals(pt, a.media().payloadType());
    assertEquals(te, a.media().telephoneEventPt());
    String expected = "m=audio 20000 " + mline.split(" ")[2] + " " + pt + (te < 0 ? "" : " " + te) + "\r\n";
    assertTrue(a.sdp().contains(expected), a.sdp());
    assertTrue(a.sdp().contains("a=rtpmap:" + pt + (pt == 0 ? " PCMU/8000" : " PCMA/8000") + "\r\n"), a.sdp());
    assertEquals(te >= 0, a.sdp().contains("a=fmtp:" + te + " 0-16\r\n"), a.sdp());
  }

  // Columns: session attrs | media attrs | media c= address | our direction
  @ParameterizedTest(name = "[{index}] session [{0}] media [{1}] c={2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
                      |                | 198.51.100.2 | SENDRECV
                      | a=sendrecv     | 198.51.100.2 | SENDRECV
                      | a=sendonly     | 198.51.100.2 | RECVONLY
                      | a=recvonly     | 198.51.100.2 | SENDONLY
                      | a=inactive     | 198.51.100.2 | INACTIVE
      a=sendonly      |                | 198.51.100.2 | RECVONLY
      a=inactive      | a=sendrecv     | 198.51.100.2 | SENDRECV
                      |                | 0.0.0.0      | RECVONLY
                      | a=sendonly     | 0.0.0.0      | RECVONLY
                      | a=recvonly     | 0.0.0.0      | INACTIVE
                      | a=inactive     | 0.0.0.0      | INACTIVE
      """)
  void directionPerRfc3264(String sessionAttr, String mediaAttr, String address, Direction ours) throws Exception {
    String offer = HEAD + (sessionAttr == null ? "" : sessionAttr + "\n")
        + "m=audio 4000 RTP/AVP 0\nc=IN IP4 " + address + "\n" + (mediaAttr == null ? "" : mediaAttr + "\n");
    SdpAnswer.Accepted a = accept(offer);
    assertEquals(ours, a.media().direction());
    assertEquals(at(address, 4000), a.media().remote());
    assertTrue(a.sdp().endsWith("a=" + ours.name().toLowerCase() + "\r\n"), a.sdp());
  }

  @Test
  void audioAndVideoRejectsVideoWithItsFormats() throws Exception {
    SdpAnswer.Accepted a = accept(HEAD + """
        m=audio 4000 RTP/AVP 8 0 101
        a=rtpmap:101 telephone-event/8000
        m=video 4002 RTP/AVP 96 97
        a=rtpmap:96 H264/90000
        a=rtpmap:97 VP8/90000
        """);
    assertEquals(new MediaParams(at("198.51.100.1", 4000), 8, 101, Direction.SENDRECV), a.media());
    assertTrue(a.sdp().endsWith("a=sendrecv\r\nm=video 0 RTP/AVP 96 97\r\n"), a.sdp());
  }

  @Test
  void twoAudioLinesUsesFirstUsableAndKeepsOrder() throws Exception {
    SdpAnswer.Accepted a = accept(HEAD + """
        m=audio 4000 RTP/AVP 111 9
        a=rtpmap:111 opus/48000/2
        m=audio 4010 RTP/AVP 8
        c=IN IP4 198.51.100.20
        m=audio 4020 RTP/AVP 0
        m=video 0 RTP/AVP 31
        """);
    assertEquals(new MediaParams(at("198.51.100.20", 4010), 8, -1, Direction.SENDRECV), a.media());
    String body = a.sdp();
    String media = body.substring(body.indexOf("m="));
    assertEquals("m=audio 0 RTP/AVP 111 9\r\nm=audio 20000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=ptime:20\r\na=sendrecv\r\nm=audio 0 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n", media);
  }

  @Test
  void disabledAudioLineIsSkipped() throws Exception {
    SdpAnswer.Accepted a = accept(HEAD + "m=audio 0 RTP/AVP 0\nm=audio 4010 RTP/AVP 0\n");
    assertEquals(4010, a.media().remote().getPort());
    assertTrue(a.sdp().contains("m=audio 0 RTP/AVP 0\r\nm=audio 20000 RTP/AVP 0\r\n"), a.sdp());
  }

  @Test
  void ipv6OfferAndIpv6Answer() throws Exception {
    String offer = "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
        + "m=audio 30000 RTP/AVP 0 8\r\n";
    SdpAnswer a = Sdp.answer(offer, "2001:db8::7", 20002, 9, 3);
    SdpAnswer.Accepted ok = assertInstanceOf(SdpAnswer.Accepted.class, a);
    assertEquals(at("2001:db8::1", 30000), ok.media().remote());
    assertTrue(ok.sdp().contains("o=ringhook 9 3 IN IP6 2001:db8::7\r\n"), ok.sdp());
    assertTrue(ok.sdp().contains("c=IN IP6 2001:db8::7\r\n"), ok.sdp());
  }

  @Test
  void hostNameConnectionStaysUnresolved() {
    SdpAnswer.Accepted a = accept("v=0\nc=IN IP4 media.carrier.invalid\nm=audio 4000 RTP/AVP 0\n");
    assertTrue(a.media().remote().isUnresolved());
    assertEquals("media.carrier.invalid", a.media().remote().getHostString());
  }

  // Columns: offer body after HEAD (\n for line ends) | warn-code | reason start
  @ParameterizedTest(name = "[{index}] {2}")
  @CsvSource(delimiter = '|', textBlock = """
      m=audio 4000 RTP/AVP 111 9\\na=rtpmap:111 opus/48000/2\\na=rtpmap:9 G722/8000 | 305 | m-line 1: no PCMU (0) or PCMA (8) among the formats [111 opus/48000/2, 9 G722/8000]
      m=audio 4000 RTP/SAVP 0 8                                           | 302 | m-line 1: transport RTP/SAVP is not RTP/AVP
      m=video 4000 RTP/AVP 96                                             | 304 | no active audio stream in the offer [video port 4000]
      m=audio 0 RTP/AVP 0                                                 | 304 | no active audio stream in the offer [audio port 0]
      ''                                                                  | 304 | no active audio stream in the offer []
      m=audio 4000 RTP/AVP 9\\nm=audio 4002 RTP/AVP 18                      | 305 | m-line 1: no PCMU (0) or PCMA (8) among the formats [9]; m-line 2: no PCMU
      m=audio 4000 RTP/AVP 0\\nc=IN IP4 999.1.1.1                          | 301 | m-line 1: bad IPv4 address in c=: 999.1.1.1
      m=audio 4000 RTP/AVP 0\\nc=IN IP6 2001:db8:::1                       | 301 | m-line 1: bad IPv6 address in c=: 2001:db8:::1
      m=audio 4000 RTP/AVP 0\\nc=ATM NSAP 47.0005                          | 300 | m-line 1: c= ATM NSAP is not IN IP4 or IN IP6
      """)
  void notAcceptable(String body, int warning, String reason) {
    SdpAnswer.NotAcceptable n = refuse(HEAD + body.replace("\\n", "\n"));
    assertEquals(warning, n.warningCode(), n.reason());
    assertTrue(n.reason().startsWith(reason), n.reason());
  }

  @Test
  void noConnectionAnywhereIsNotAcceptable() {
    SdpAnswer.NotAcceptable n = refuse("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\n");
    assertEquals("m-line 1: no c= line at session or media level", n.reason());
  }

  @Test
  void reasonIsSafeForAWarningHeader() {
    SdpAnswer.NotAcceptable n = refuse(HEAD + "m=audio 4000 RTP/AVP 96 97 " + "98 ".repeat(100)
        + "\na=rtpmap:96 \"x\\y/8000\na=rtpmap:97 caf\u00e9/8000\n");
    assertTrue(n.reason().startsWith("m-line 1: no PCMU (0) or PCMA (8) among the formats [96 ?x?y/8000, 97 caf?/8000,"),
        n.reason());
    assertEquals(200, n.reason().length());
  }

  @Test
  void outcomeDoesNotDependOnLocalPortOrVersion() {
    SdpAnswer.Accepted early = assertInstanceOf(SdpAnswer.Accepted.class,
        Sdp.answer(SdpDescriptionTest.BARESIP, "192.0.2.1", 9, 1, 1));
    assertEquals(accept(SdpDescriptionTest.BARESIP).media(), early.media());
  }

  @Test
  void malformedOfferIsNotAcceptable() {
    SdpAnswer.NotAcceptable n = refuse("INVITE sip:x SIP/2.0");
    assertEquals(399, n.warningCode());
  }

  @Test
  void ourOffer() {
    assertEquals("""
        v=0\r
        o=ringhook 7 8 IN IP4 203.0.113.7\r
        s=ringhook\r
        c=IN IP4 203.0.113.7\r
        t=0 0\r
        m=audio 20004 RTP/AVP 0 8 101\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-16\r
        a=ptime:20\r
        a=sendrecv\r
        """, Sdp.offer("203.0.113.7", 20004, 7, 8));
  }

  @Test
  void ourOfferAnsweredByOurselvesRoundTrips() throws Exception {
    String offer = Sdp.offer("198.51.100.1", 20004, 7, 8);
    SdpAnswer.Accepted a = accept(offer);
    assertEquals(new MediaParams(at("198.51.100.1", 20004), 0, 101, Direction.SENDRECV), a.media());
    assertEquals(new MediaParams(at("203.0.113.7", 20000), 0, 101, Direction.SENDRECV),
        Sdp.acceptAnswer(a.sdp()));
  }

  @Test
  void acceptsBaresipStyleAnswerToOurOffer() throws Exception {
    MediaParams p = Sdp.acceptAnswer("""
        v=0
        o=- 3456 3457 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio 20470 RTP/AVP 8 96
        a=rtpmap:8 PCMA/8000
        a=rtpmap:96 telephone-event/8000
        a=fmtp:96 0-15
        a=sendonly
        """);
    assertEquals(new MediaParams(at("127.0.0.1", 20470), 8, 96, Direction.RECVONLY), p);
  }

  @Test
  void acceptsHoldAnswer() throws Exception {
    MediaParams p = Sdp.acceptAnswer("v=0\nc=IN IP4 0.0.0.0\nm=audio 20470 RTP/AVP 0\n");
    assertEquals(Direction.RECVONLY, p.direction());
    assertEquals(-1, p.telephoneEventPt());
  }

  // Columns: answer body (\n for line ends) | message start
  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', textBlock = """
      v=0\\nc=IN IP4 1.2.3.4\\nm=audio 0 RTP/AVP 0              | the answer refused the audio stream (port 0)
      v=0\\nc=IN IP4 1.2.3.4\\nm=audio 4000 RTP/AVP 9           | answer: no PCMU (0) or PCMA (8) among the formats [9]
      v=0\\nc=IN IP4 1.2.3.4                                    | the answer has no m= line
      v=0\\nc=IN IP4 1.2.3.4\\nm=video 4000 RTP/AVP 96          | the answer's first m= line is video, not audio
      v=0\\nm=audio 4000 RTP/AVP 0                              | answer: no c= line at session or media level
      hello                                                    | not SDP
      """)
  void unusableAnswers(String body, String message) {
    SdpException e = assertThrows(SdpException.class, () -> Sdp.acceptAnswer(body.replace("\\n", "\n")));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void checksLocalArguments() {
    String offer = SdpDescriptionTest.BARESIP;
    assertThrows(IllegalArgumentException.class, () -> Sdp.answer(offer, "203.0.113.7", 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Sdp.answer(offer, "203.0.113.7", 65536, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Sdp.answer(offer, "203.0.113.7\r\nx=1", 5, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Sdp.answer(offer, "", 5, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Sdp.offer("203.0.113.7", 5, -1, 1));
    assertThrows(NullPointerException.class, () -> Sdp.offer(null, 5, 1, 1));
  }
}
