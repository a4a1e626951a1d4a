package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import javax.sip.SipFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/** A trunk's header allow-list over a parsed INVITE. */
class SipHeaderFilterTest {
  private static Request invite(String extraHeaders) throws Exception {
    MessageFactory f = SipFactory.getInstance().createMessageFactory();
    String text = "INVITE sip:+12345678913@127.0.0.1 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"
        + "From: <sip:+12345678912@127.0.0.1>;tag=a\r\n"
        + "To: <sip:+12345678913@127.0.0.1>\r\n"
        + "Call-ID: c1@127.0.0.1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Max-Forwards: 70\r\n"
        + extraHeaders
        + "Content-Length: 0\r\n\r\n";
    return f.createRequest(text);
  }

  @Test
  void passesNamedHeadersAndPrefixesCaseInsensitivelyAndNothingElse() throws Exception {
    Request r = invite("X-Customer-Id: c-981\r\nx-score: 0.9\r\nDiversion: <sip:+15550100@c.example>;reason=no-answer\r\n"
        + "Subject: secret\r\nX-Customer-Id: c-982\r\n");
    assertEquals(Map.of("X-Customer-Id", "c-981, c-982", "x-score", "0.9",
        "Diversion", "<sip:+15550100@c.example>;reason=no-answer"),
        SipHeaderFilter.of(List.of("X-*", "diversion")).pick(r));
    assertEquals(Map.of(), SipHeaderFilter.NONE.pick(r));
  }

  @Test
  void whatPassesIsBounded() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      many.append("X-H").append(i).append(": ").append("v".repeat(300)).append("\r\n");
    }
    Map<String, String> picked = SipHeaderFilter.of(List.of("X-*")).pick(invite(many.toString()));
    assertEquals(SipHeaderFilter.MAX_HEADERS, picked.size());
    assertEquals(SipHeaderFilter.MAX_VALUE, picked.get("X-H0").length());
  }

  @Test
  void patternsAreChecked() {
    assertEquals("X-*", SipHeaderFilter.check("X-*"));
    assertThrows(IllegalArgumentException.class, () -> SipHeaderFilter.check("*"));
    assertThrows(IllegalArgumentException.class, () -> SipHeaderFilter.check("X Y"));
    assertThrows(IllegalArgumentException.class, () -> SipHeaderFilter.check(""));
  }
}
