package io.ringhook.sip;

import gov.nist.javax.sip.message.SIPRequest;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and sends the SIP messages ringhook originates: responses with the right tags and
 * headers, and BYE. Failures to send are logged, never thrown at the call: a peer that vanished
 * must not break the state machine.
 */
final class Responder {
  private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

  /** The methods we accept, for Allow headers (RFC 3261 20.5). */
  static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS";
  static final String CALL_ID_HEADER = "X-Ringhook-Call-Id";

  /** A refusal's class as the Reason header may carry it: a code-made label, never free text. */
  private static final java.util.regex.Pattern OUTCOME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,39}");

  private final SipProvider provider;
  private final MessageFactory messages;
  private final HeaderFactory headers;
  private final AddressFactory addresses;
  private final SipConfig config;
  private final LocalAddresses local;

  Responder(SipProvider provider, MessageFactory messages, HeaderFactory headers, AddressFactory addresses,
            SipConfig config, LocalAddresses local) {
    this.provider = provider;
    this.messages = messages;
    this.headers = headers;
    this.addresses = addresses;
    this.config = config;
    this.local = local;
  }

  /**
   * A response to {@code request} with our Server header. A request without a To-tag gets
   * {@code toTag}, or a fresh one when none is given (RFC 3261 8.2.6.2; 100 Trying excepted).
   */
  Response create(Request request, int status, String toTag) {
    try {
      Response response = messages.createResponse(status, request);
      ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
      if (to.getTag() == null && status != Response.TRYING) {
        to.setTag(toTag != null ? toTag : newTag());
      }
      response.setHeader(headers.createServerHeader(List.of(config.userAgent())));
      return response;
    } catch (ParseException e) {
      throw new IllegalStateException("cannot build a " + status + " response", e);
    }
  }

  void send(ServerTransaction st, Response response) {
    if (st == null) {
      return;
    }
    try {
      st.sendResponse(response);
    } catch (SipException | InvalidArgumentException | RuntimeException e) {
      LOG.debug("could not send {} for {}: {}", response.getStatusCode(),
          st.getRequest().getMethod(), e.toString());
    }
  }

  /** Sends {@code response} without a transaction: never retransmitted, never absorbing one. */
  void sendStateless(SipProvider provider, Response response) {
    try {
      provider.sendResponse(response);
    } catch (SipException | RuntimeException e) {
      LOG.debug("could not send {} statelessly: {}", response.getStatusCode(), e.toString());
    }
  }

  void trying(ServerTransaction st) {
    send(st, create(st.getRequest(), Response.TRYING, null));
  }

  void provisional(ServerTransaction st, int status, String toTag, String callId) {
    Response r = create(st.getRequest(), status, toTag);
    addContact(r, st.getRequest());
    addCallId(r, callId);
    send(st, r);
  }

  void answer(ServerTransaction st, String toTag, String callId, String sdp) {
    Response r = create(st.getRequest(), Response.OK, toTag);
    addContact(r, st.getRequest());
    addCallId(r, callId);
    try {
      r.setHeader(headers.createAllowHeader(ALLOW));
      r.setContent(sdp, headers.createContentTypeHeader("application", "sdp"));
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
    send(st, r);
  }

  /**
   * Refuses the INVITE with {@code status} and a {@code Reason} header (RFC 3326) whose text is the
   * refusal's class ({@code outcome}, e.g. {@code webhook_failed}), nothing more: what the webhook
   * answered, and any address or name of ours, stay in the log and the call record.
   */
  void fail(ServerTransaction st, int status, String toTag, String callId, String outcome) {
    Response r = create(st.getRequest(), status, toTag);
    addCallId(r, callId);
    if (status == Response.SERVICE_UNAVAILABLE) {
      retryAfter(r, 30);
    }
    if (outcome != null && OUTCOME.matcher(outcome).matches() && status != Response.REQUEST_TERMINATED) {
      try {
        r.addHeader(headers.createReasonHeader("SIP", status, outcome));
      } catch (ParseException | InvalidArgumentException e) {
        LOG.debug("no Reason header for {}", outcome);
      }
    }
    send(st, r);
  }

  void ok(ServerTransaction st) {
    ok(st, null);
  }

  /** 200 OK carrying {@code toTag} when the request had none (a CANCEL answered with its call's tag, 9.2). */
  void ok(ServerTransaction st, String toTag) {
    if (st != null) {
      send(st, create(st.getRequest(), Response.OK, toTag));
    }
  }

  /** A new To-tag, for a dialog or a response outside one. */
  static String newTag() {
    byte[] b = new byte[6];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
    return "rh" + java.util.HexFormat.of().formatHex(b);
  }

  /** Refuses a request, adding Retry-After to a 500 as RFC 3261 14.2 asks for overlapping INVITEs. */
  void reject(ServerTransaction st, int status) {
    if (st == null) {
      return;
    }
    Response r = create(st.getRequest(), status, null);
    if (status == Response.SERVER_INTERNAL_ERROR) {
      retryAfter(r, ThreadLocalRandom.current().nextInt(0, 11));
    }
    send(st, r);
  }

  /** Sends BYE in the call's dialog (RFC 3261 15.1.1); the call hears back through {@link Call#onByeCompleted}. */
  void bye(Dialog dialog, String reason, Call call) {
    if (dialog == null) {
      call.onByeCompleted();
      return;
    }
    try {
      Request bye = dialog.createRequest(Request.BYE);
      bye.addHeader(headers.createReasonHeader("SIP", 200, truncate(reason)));
      bye.setHeader(headers.createUserAgentHeader(List.of(config.userAgent())));
      ClientTransaction ct = provider.getNewClientTransaction(bye);
      ct.setApplicationData(call);
      dialog.sendRequest(ct);
    } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
      LOG.warn("call {}: could not send BYE: {}", call.info().callId(), e.toString());
      call.onByeCompleted();
    }
  }

  private void addContact(Response r, Request request) {
    try {
      SipURI uri = addresses.createSipURI("ringhook", local.hostFor(request));
      uri.setPort(config.port());
      String transport = ((SIPRequest) request).getTopmostVia().getTransport();
      if (transport != null && !"UDP".equalsIgnoreCase(transport)) {
        uri.setTransportParam(transport.toLowerCase(java.util.Locale.ROOT));
      }
      ContactHeader contact = headers.createContactHeader(addresses.createAddress(uri));
      r.setHeader(contact);
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  private void addCallId(Response r, String callId) {
    try {
      r.setHeader(headers.createHeader(CALL_ID_HEADER, callId));
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  private void retryAfter(Response r, int seconds) {
    try {
      r.setHeader(headers.createRetryAfterHeader(seconds));
    } catch (InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String truncate(String s) {
    String clean = s.replace('"', '\'').replaceAll("[\\r\\n]", " ");
    return clean.length() > 200 ? clean.substring(0, 200) : clean;
  }

  /**
   * Refuses the INVITE as a customer's decline asked: its status and, when it gave one, its reason
   * as the {@code Reason} text (sanitised); else as {@link #fail(ServerTransaction, int, String, String, String)}.
   */
  void fail(ServerTransaction st, int status, String toTag, String callId, String outcome,
            Optional<String> callerReason) {
    if (callerReason.isEmpty()) {
      fail(st, status, toTag, callId, outcome);
      return;
    }
    Response r = create(st.getRequest(), status, toTag);
    addCallId(r, callId);
    try {
      r.addHeader(headers.createReasonHeader("SIP", status, reasonText(callerReason.get())));
    } catch (ParseException | InvalidArgumentException e) {
      LOG.debug("no Reason header for {}", callerReason.get());
    }
    send(st, r);
  }

  /** A quoted-string's content (RFC 3261 25.1) from any text: printable ASCII, no quote or backslash, bounded. */
  static String reasonText(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 100; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : ' ');
    }
    return b.toString().strip();
  }
}
