package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.MediaParams.Direction;
import io.ringhook.sip.SdpDescription.Connection;
import io.ringhook.sip.SdpDescription.Media;
import io.ringhook.sip.SdpDescription.RtpMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SdpDescriptionTest {

  static final String BARESIP = """
      v=0
      o=- 1180262387 2590185396 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio 20466 RTP/AVP 0 8 101
      b=AS:64
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=sendrecv
      a=label:1
      a=ssrc:1466331432 cname:3a8c6c68-c3b0-4a36-a1f0-5b1e27a2d4c1
      a=rtcp-rsize
      """.replace("\n", "\r\n");

  @Test
  void parsesBaresipOfferWithCrlf() throws SdpException {
    SdpDescription d = SdpDescription.parse(BARESIP);
    assertEquals(Optional.of(new SdpDescription.Origin("-", "1180262387", "2590185396", "IP4", "127.0.0.1")),
        d.origin());
    assertEquals(Optional.of(new Connection("IN", "IP4", "127.0.0.1")), d.connection());
    assertEquals(Optional.empty(), d.direction());
    assertEquals(1, d.media().size());
    Media m = d.media().get(0);
    assertEquals("audio", m.type());
    assertEquals(20466, m.port());
    assertEquals("RTP/AVP", m.proto());
    assertEquals(List.of("0", "8", "101"), m.formats());
    assertEquals(Optional.empty(), m.connection());
    assertEquals(new RtpMap("telephone-event", 8000, Optional.empty()), m.rtpMaps().get("101"));
    assertEquals("0-15", m.fmtps().get("101"));
    assertEquals(Optional.of(Direction.SENDRECV), m.direction());
    assertEquals(OptionalInt.empty(), m.ptime());
    assertTrue(m.isActiveRtpAudio());
  }

  @Test
  void parsesLfOnlyIpv6MediaConnectionAndSessionDirection() throws SdpException {
    SdpDescription d = SdpDescription.parse("""
        v=0
        o=carrier 5 6 IN IP6 2001:db8::5
        s=call
        c=IN IP4 203.0.113.9/127/2
        t=0 0
        a=sendonly
        x-unknown-line
        y=what is this
        m=audio 49170/2 RTP/AVP 18 0
        c=IN IP6 2001:DB8::7
        a=rtpmap:18 G729/8000
        a=fmtp:18 annexb=no
        a=ptime:30
        a=maxptime:60
        m=video 0 RTP/AVP 96
        a=rtpmap:96 H264/90000
        a=inactive
        m=application 9 UDP/BFCP *
        """);
    assertEquals(Optional.of(new Connection("IN", "IP4", "203.0.113.9")), d.connection());
    assertEquals(Optional.of(Direction.SENDONLY), d.direction());
    assertEquals(3, d.media().size());
    Media audio = d.media().get(0);
    assertEquals(49170, audio.port());
    assertEquals(Optional.of(new Connection("IN", "IP6", "2001:DB8::7")), audio.connection());
    assertEquals(OptionalInt.of(30), audio.ptime());
    assertEquals("annexb=no", audio.fmtps().get("18"));
    assertEquals(Optional.empty(), audio.direction());
    assertEquals(Optional.of(new RtpMap("PCMU", 8000, Optional.empty())), audio.rtpMap("0"));
    Media video = d.media().get(1);
    assertEquals(0, video.port());
    assertEquals(Optional.of(Direction.INACTIVE), video.direction());
    assertFalse(video.isActiveRtpAudio());
    assertEquals(List.of("*"), d.media().get(2).formats());
  }

  @Test
  void opusRtpMapKeepsChannels() throws SdpException {
    Media m = SdpDescription.parse("v=0\nc=IN IP4 1.2.3.4\nm=audio 5 RTP/AVP 111\na=rtpmap:111 opus/48000/2\n")
        .media().get(0);
    assertEquals(new RtpMap("opus", 48000, Optional.of("2")), m.rtpMaps().get("111"));
    assertEquals("opus/48000/2", m.rtpMaps().get("111").toString());
  }

  @Test
  void holdConnection() {
    assertTrue(new Connection("IN", "IP4", "0.0.0.0").isHold());
    assertTrue(new Connection("IN", "IP6", "::").isHold());
    assertFalse(new Connection("IN", "IP4", "10.0.0.1").isHold());
  }

  // Columns: body (\n for line ends) | expected message start
  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ''                                        | empty session description
      'hello'                                   | not SDP: the first line must be v=0
      'o=- 1 1 IN IP4 1.2.3.4\\nv=0'            | not SDP: the first line must be v=0
      'v=1\\nm=audio 5 RTP/AVP 0'               | not SDP: the first line must be v=0
      'v=0\\nc=IN IP4\\nm=audio 5 RTP/AVP 0'     | line 2: c= needs <nettype> <addrtype> <address>
      'v=0\\nm=audio RTP/AVP'                   | line 2: m= needs <media> <port> <proto> <fmt>...
      'v=0\\nm=audio 70000 RTP/AVP 0'           | line 2: m= port must be 0..65535, got
      'v=0\\nm=audio -1 RTP/AVP 0'              | line 2: m= port must be 0..65535, got
      'v=0\\nm=audio x/2 RTP/AVP 0'             | line 2: m= port must be 0..65535, got
      """)
  void malformed(String body, String message) {
    SdpException e = assertThrows(SdpException.class, () -> SdpDescription.parse(body.replace("\\n", "\n")));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
    assertEquals(399, e.warningCode());
  }

  @Test
  void refusesHugeBodies() {
    String huge = "v=0\n" + "a=x\n".repeat(20_000);
    assertThrows(SdpException.class, () -> SdpDescription.parse(huge));
    assertThrows(SdpException.class, () -> SdpDescription.parse(null));
  }

  @Test
  void toleratesBadAttributesAndOrigin() throws SdpException {
    SdpDescription d = SdpDescription.parse(
        "v=0\no=broken\nc=IN IP4 1.2.3.4\nm=audio 5 RTP/AVP 0 96\na=rtpmap:96\na=rtpmap:97 x/y\na=ptime:abc\n\n");
    assertEquals(Optional.empty(), d.origin());
    assertTrue(d.media().get(0).rtpMaps().isEmpty());
    assertEquals(OptionalInt.empty(), d.media().get(0).ptime());
  }

  @Test
  void countsLinesAcrossCrlfCrAndLfAndBlankLines() {
    // line 5 is the c= line: CRLF, a blank CR line, LF and CR all end one line each
    SdpException e = assertThrows(SdpException.class,
        () -> SdpDescription.parse("\r\nv=0\r\n\rs=-\nc=IN IP4\rm=audio 5 RTP/AVP 0\r\n"));
    assertTrue(e.getMessage().startsWith("line 5: c= needs"), e.getMessage());
  }

  @Test
  void fieldsSplitLikeTheWhitespaceRegexTheyReplace() {
    java.util.regex.Pattern spaces = java.util.regex.Pattern.compile("\\s+");
    for (String v : List.of("", "a", "ab cd", "0 PCMU/8000", "a  b\tc\u000Bd\fe", "- 1 2 IN IP4 1.2.3.4",
        "101 0-15", "96 mode=30;  x=1 y", "x\t\ty")) {
      for (int limit : new int[] {0, 2, 3}) {
        assertEquals(List.of(spaces.split(v, limit)), List.of(SdpParser.fields(v, limit)), v + " / " + limit);
      }
    }
  }
}
