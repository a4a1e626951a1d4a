package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The per-request scan for single-valued headers given twice (RFC 3261 7.3.1, RFC 4475 3.1.2.19). */
class DuplicatedHeaderTest {
  private static final String HEAD = "INVITE sip:+15551000000@127.0.0.1 SIP/2.0\r\n"
      + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\n"
      + "From: <sip:+15550009999@127.0.0.1>;tag=a\r\n"
      + "To: <sip:+15551000000@127.0.0.1>\r\n"
      + "Call-ID: one@127.0.0.1\r\n"
      + "CSeq: 1 INVITE\r\n"
      + "Max-Forwards: 70\r\n";

  private static String dup(String text) {
    return BadRequests.duplicated(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aWellFormedRequestHasNone() {
    assertNull(dup(HEAD + "Content-Length: 0\r\n\r\n"));
    assertNull(dup(HEAD + "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-2\r\nContent-Length: 0\r\n\r\n"), "Via may repeat");
  }

  @Test
  void eachSingleValuedHeaderIsFoundTwiceInAnyCaseOrForm() {
    assertEquals("call-id", dup(HEAD + "Call-ID: two@127.0.0.1\r\n\r\n"));
    assertEquals("call-id", dup(HEAD + "i: two@127.0.0.1\r\n\r\n"), "compact form of a header already there");
    assertEquals("cseq", dup(HEAD + "CSEQ : 2 INVITE\r\n\r\n"), "upper case, space before the colon");
    assertEquals("from", dup(HEAD + "f: <sip:x@127.0.0.1>\r\n\r\n"));
    assertEquals("to", dup(HEAD + "t: <sip:y@127.0.0.1>\r\n\r\n"));
    assertEquals("content-length", dup(HEAD + "Content-Length: 0\r\nl: 0\r\n\r\n"));
    assertEquals("max-forwards", dup(HEAD + "max-forwards: 69\r\n\r\n"));
  }

  @Test
  void foldedLinesBodiesAndBareLineFeedsAreNotHeaders() {
    assertNull(dup(HEAD + "Subject: a\r\n Call-ID: folded, part of Subject\r\n\r\n"));
    assertNull(dup(HEAD + "Content-Length: 11\r\n\r\nCall-ID: x\n"), "the body is not scanned");
    assertEquals("call-id", dup(HEAD.replace("\r\n", "\n") + "Call-ID: two\n\n"), "LF-only lines");
    assertNull(dup("INVITE sip:x SIP/2.0"), "no header block at all");
  }
}
