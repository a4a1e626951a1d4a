package io.ringhook.sip;

import gov.nist.javax.sip.message.SIPRequest;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The checks RFC 3261 section 8.2 asks of every request before it is acted on, each with its
 * answer: another SIP version gets 505, a Request-URI scheme other than sip, sips or tel 416, a
 * single-valued header given twice (RFC 3261 20, RFC 4475 3.1.2.19) 400, and an OPTIONS that
 * requires an extension we lack 420 with {@code Unsupported} (an INVITE's 420 is recorded, in the
 * dispatcher). The answers are stateless: none of these requests gets a transaction.
 */
final class RequestScreen {
  private static final Set<String> SCHEMES = Set.of("sip", "sips", "tel");
  private static final List<String> SINGLE =
      List.of(CallIdHeader.NAME, CSeqHeader.NAME, ContentLengthHeader.NAME, FromHeader.NAME, ToHeader.NAME,
          MaxForwardsHeader.NAME);

  private final Responder responder;
  private final HeaderFactory headers;

  RequestScreen(Responder responder, HeaderFactory headers) {
    this.responder = responder;
    this.headers = headers;
  }

  /** The answer for {@code request} when it fails a check; empty when it passes them all. */
  Optional<Response> refusal(Request request) {
    String version = ((SIPRequest) request).getRequestLine().getSipVersion();
    if (version != null && !"SIP/2.0".equalsIgnoreCase(version.trim())) {
      return Optional.of(responder.create(request, Response.VERSION_NOT_SUPPORTED, null));
    }
    String scheme = request.getRequestURI().getScheme();
    if (scheme == null || !SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
      return Optional.of(responder.create(request, Response.UNSUPPORTED_URI_SCHEME, null));
    }
    for (String name : SINGLE) {
      ListIterator<?> it = request.getHeaders(name);
      int n = 0;
      while (it != null && it.hasNext()) {
        it.next();
        n++;
      }
      if (n > 1) {
        return Optional.of(responder.create(request, Response.BAD_REQUEST, null));
      }
    }
    if (Request.OPTIONS.equals(request.getMethod())) {
      List<String> unsupported = unsupportedRequires(request);
      if (!unsupported.isEmpty()) {
        Response r = responder.create(request, Response.BAD_EXTENSION, null);
        try {
          r.setHeader(headers.createUnsupportedHeader(String.join(", ", unsupported)));
        } catch (ParseException e) {
          // an option tag that is no token: the 420 goes without it
        }
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The option tags of the request's Require headers; ringhook supports none (RFC 3261 8.2.2.3). */
  static List<String> unsupportedRequires(Request request) {
    List<String> out = new ArrayList<>();
    ListIterator<?> it = request.getHeaders(RequireHeader.NAME);
    while (it != null && it.hasNext()) {
      String tag = ((RequireHeader) it.next()).getOptionTag();
      if (tag != null && !tag.isBlank()) {
        out.add(tag.trim());
      }
    }
    return out;
  }
}
