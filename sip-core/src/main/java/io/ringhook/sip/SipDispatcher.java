package io.ringhook.sip;

import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.SipListenerExt;
import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.ListIterator;
import java.util.Optional;
import java.util.Set;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The JAIN-SIP listener: checks each request at the boundary (trunk, method, extensions, body)
 * and hands it to its {@link Call}, or answers it itself (OPTIONS, 4xx). It never blocks: JAIN-SIP
 * threads only classify and post.
 */
final class SipDispatcher implements SipListenerExt {
  private static final Logger LOG = LoggerFactory.getLogger(SipDispatcher.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Methods RFC 3261 and its extensions define that we recognise but do not serve: 405 (8.2.1). */
  private static final Set<String> KNOWN_UNSUPPORTED =
      Set.of("REGISTER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "REFER", "PUBLISH", "UPDATE", "PRACK");

  private final SipContext ctx;
  private final TrunkAcl acl;
  private final LocalAddresses local;
  private final Admission admission;
  private final Outsiders outsiders;
  private final RequestScreen screen;
  private volatile Duration draining;

  SipDispatcher(SipContext ctx, TrunkAcl acl, LocalAddresses local, Admission admission) {
    this.ctx = ctx;
    this.acl = acl;
    this.local = local;
    this.admission = admission;
    this.outsiders = new Outsiders(ctx.responder(), System::nanoTime);
    this.screen = new RequestScreen(ctx.responder(), HEADERS);
  }

  /** Requests from sources outside every trunk refused (statelessly) since start. */
  long outsidersRefused() {
    return outsiders.refused();
  }

  @Override
  public void processRequest(RequestEvent event) {
    try {
      dispatch(event);
    } catch (RuntimeException e) {
      LOG.error("failed to handle {}", event.getRequest().getMethod(), e);
    }
  }

  private void dispatch(RequestEvent event) {
    Request request = event.getRequest();
    String method = request.getMethod();
    SIPRequest sipRequest = (SIPRequest) request;
    InetSocketAddress source = new InetSocketAddress(sipRequest.getRemoteAddress(), sipRequest.getRemotePort());
    Optional<TrunkAcl.Match> trunk = acl.match(source.getAddress());
    if (trunk.isEmpty()) {
      // Before any transaction: a transaction would retransmit the 403 until an ACK that never comes.
      outsiders.refuse((SipProvider) event.getSource(), request, source);
      if (Request.INVITE.equals(method) && toTag(request) == null) {
        // Recorded, but not logged per INVITE: Outsiders writes one line per 10 s for all of them.
        ctx.record(CallStory.refused(describe(request, source, new TrunkAcl.Match("", Optional.empty())), Outcome.REJECTED_ACL,
            "source " + source.getAddress().getHostAddress() + " matches no trunk", ctx.clock().instant()));
      }
      return;
    }
    if (!Request.ACK.equals(method)) {
      Optional<Response> refusal = screen.refusal(request);
      if (refusal.isPresent()) {
        LOG.debug("{} from {}: {}", method, source, refusal.get().getStatusCode());
        ctx.responder().sendStateless((SipProvider) event.getSource(), refusal.get());
        return;
      }
    }
    if (Request.ACK.equals(method)) {
      Call call = ctx.registry().get(key(request));
      if (call != null) {
        call.onAck(request);
      }
      return;
    }
    Optional<Admission.Reason> shed = Request.INVITE.equals(method) && toTag(request) == null
        && !ctx.registry().containsKey(key(request)) ? admission.check(source.getAddress()) : Optional.empty();
    if (shed.isPresent() && shed.get() == Admission.Reason.SOURCE_LIMIT) {
      // A flood from one address gets a stateless 503 (RFC 3261 8.2.7): through a transaction it would be
      // sent again and again to a flooder that never ACKs (four times in 1.5 s, up to eleven in 32 s: a
      // reflection amplifier for a spoofed source). A retransmission of it meets the source's bucket again.
      // Counted by Admission; neither logged one by one nor reported as a call.
      ctx.responder().sendStateless((SipProvider) event.getSource(),
          unavailable(request, admission.retryAfterSeconds()));
      return;
    }
    ServerTransaction st = serverTransaction(event);
    if (st == null) {
      return;
    }
    if (shed.isPresent()) {
      // Overload keeps its transaction: behind a backlog the caller's INVITE retransmissions queue up too,
      // and the transaction absorbs them. Stateless, each was refused again (134,641 refusals for 63,058
      // refused calls at 2x) or, once the backlog cleared, admitted as a call its caller had already given
      // up (BENCHMARKS.md, "Overload: a stateless 503, tried").
      ctx.responder().send(st, unavailable(request, admission.retryAfterSeconds()));
      return;
    }
    switch (method) {
      case Request.INVITE -> {
        if (toTag(request) != null) {
          inDialog(st, request).ifPresent(call -> call.onReInvite(st));
        } else {
          newCall(st, request, source, trunk.get());
        }
      }
      case Request.CANCEL -> {
        Call call = ctx.registry().get(key(request));
        if (call == null) {
          reply(st, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
        } else {
          call.onCancel(st);
        }
      }
      case Request.BYE -> inDialog(st, request).ifPresent(call -> call.onBye(st));
      case Request.OPTIONS -> options(st);
      case Request.INFO -> {
        // SIP INFO inside a call (e.g. DTMF relay) is accepted and ignored rather than failing the call.
        if (inDialog(st, request).isPresent()) {
          reply(st, Response.OK);
        }
      }
      default -> {
        if (KNOWN_UNSUPPORTED.contains(method)) {
          Response r = ctx.responder().create(request, Response.METHOD_NOT_ALLOWED, null);
          r.setHeader(allow());
          ctx.responder().send(st, r);
        } else {
          reply(st, Response.NOT_IMPLEMENTED);
        }
      }
    }
  }

  private void newCall(ServerTransaction st, Request request, InetSocketAddress source, TrunkAcl.Match trunk) {
    String key = key(request);
    if (ctx.registry().containsKey(key)) {
      // 8.2.2.2: same Call-ID and From tag in a new transaction is a merged request.
      reply(st, Response.LOOP_DETECTED);
      return;
    }
    InboundCall info = describe(request, source, trunk);
    String localHost = local.hostFor(request);
    long sdpSessionId = Math.abs(RANDOM.nextLong() % 1_000_000_000_000L);
    Optional<String> body = request.getRawContent() == null || request.getRawContent().length == 0
        ? Optional.empty()
        : Optional.of(new String(request.getRawContent(), java.nio.charset.StandardCharsets.UTF_8));
    Screened screened = screen(request, body, localHost);
    if (screened.refusal() != null) {
      refuse(st, info, screened.refusal());
      return;
    }
    ctx.responder().trying(st);
    Call call = new Call(ctx, info, key, st, Responder.newTag(),
        new SdpSession(screened.offer(), localHost, sdpSessionId));
    ctx.registry().put(key, call);
    try (MDC.MDCCloseable id = MDC.putCloseable(InboundCall.LOG_KEY, info.callId())) {
      LOG.info("call {} from {} to {} via {} ({}), Call-ID {}", info.callId(), info.fromNumber(), info.toNumber(),
          info.trunk(), source, info.sipCallId());
    }
    call.start();
  }

  /** The facts of an INVITE: ids, trunk, source and the caller's and dialed numbers. */
  private static InboundCall describe(Request request, InetSocketAddress source, TrunkAcl.Match trunk) {
    Optional<String> defaultCountryCode = trunk.defaultCountryCode();
    String requestUri = request.getRequestURI().toString();
    String toUri = ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI().toString();
    String fromUri = ((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().toString();
    javax.sip.header.Header pai = request.getHeader("P-Asserted-Identity");
    // RFC 3325 9.3: "Privacy: id" asks that the asserted identity not reach untrusted parties: the
    // caller withheld its number, so only the (usually anonymous) From is used.
    javax.sip.header.Header privacy = request.getHeader("Privacy");
    boolean withheld = privacy != null && headerValue(privacy).toLowerCase(java.util.Locale.ROOT).matches(".*\\bid\\b.*");
    String paiValue = pai == null || withheld ? null : headerValue(pai);
    return new InboundCall(newCallId(), callId(request), trunk.trunkName(), source,
        PhoneNumbers.caller(paiValue, fromUri, defaultCountryCode),
        PhoneNumbers.dialed(requestUri, toUri, defaultCountryCode), trunk.headers().pick(request));
  }

  /**
   * Why a new INVITE is refused before it becomes a call.
   *
   * @param outcome the record's outcome; its {@link Outcome#status()} is the response's status
   * @param detail  why, for the log and the record (never sent to the caller)
   * @param header  a header the response carries to say what would be accepted, or null
   */
  private record Refusal(Outcome outcome, String detail, javax.sip.header.Header header) {}

  /**
   * What the screen found: why the INVITE is refused (null when it is not), or its SDP offer, parsed once
   * here for the answer too (empty for a late offer).
   */
  private record Screened(Refusal refusal, Optional<SdpDescription> offer) {
    static final Screened NO_OFFER = new Screened(null, Optional.empty());
  }

  /** A header factory call that may reject its input. */
  private interface HeaderMaker {
    javax.sip.header.Header make() throws ParseException, javax.sip.InvalidArgumentException;
  }

  /**
   * The INVITE screen: the first reason, in order, why a new INVITE cannot become a call (draining,
   * a required extension we lack, a body that is not SDP, an offer with no codec in common); when it
   * can, its offer parsed (none for a late offer).
   */
  private Screened screen(Request request, Optional<String> body, String localHost) {
    Duration retryAfter = draining;
    if (retryAfter != null) {
      return refused(Outcome.DRAINING, "server draining for shutdown", () -> retryAfterHeader(retryAfter));
    }
    List<String> unsupported = RequestScreen.unsupportedRequires(request);
    if (!unsupported.isEmpty()) {
      String tags = String.join(", ", unsupported);
      return refused(Outcome.BAD_EXTENSION, "unsupported Require: " + tags,
          () -> headers().createUnsupportedHeader(tags));
    }
    if (body.isEmpty()) {
      return Screened.NO_OFFER;
    }
    ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
    if (type == null || !"application".equalsIgnoreCase(type.getContentType())
        || !"sdp".equalsIgnoreCase(type.getContentSubType())) {
      return refused(Outcome.UNSUPPORTED_MEDIA,
          "body is " + (type == null ? "untyped" : type.getContentType() + "/" + type.getContentSubType()) + ", not SDP",
          () -> headers().createAcceptHeader("application", "sdp"));
    }
    SdpDescription offer = null;
    Optional<SdpAnswer.NotAcceptable> refusal;
    try {
      offer = SdpDescription.parse(body.get());
      refusal = Sdp.refusal(offer);
    } catch (SdpException e) {
      refusal = Optional.of(Sdp.notAcceptable(e));
    }
    if (refusal.isPresent()) {
      SdpAnswer.NotAcceptable no = refusal.get();
      return refused(Outcome.NO_CODEC, no.reason(),
          () -> headers().createWarningHeader(localHost, no.warningCode(), no.reason()));
    }
    return new Screened(null, Optional.of(offer));
  }

  private static Screened refused(Outcome outcome, String detail, HeaderMaker header) {
    try {
      return new Screened(new Refusal(outcome, detail, header.make()), Optional.empty());
    } catch (ParseException | javax.sip.InvalidArgumentException e) {
      LOG.debug("no header for the {} refusal: {}", outcome, e.getMessage());
      return new Screened(new Refusal(outcome, detail, null), Optional.empty());
    }
  }

  /** Refuses an INVITE before it became a call with the refusal's status, and reports it: it never rang. */
  private void refuse(ServerTransaction st, InboundCall info, Refusal refusal) {
    Response r = ctx.responder().create(st.getRequest(), refusal.outcome().status(), null);
    if (refusal.header() != null) {
      r.setHeader(refusal.header());
    }
    ctx.responder().send(st, r);
    ctx.report(CallStory.refused(info, refusal.outcome(), refusal.detail(), ctx.clock().instant()));
  }

  /**
   * 503 Service Unavailable with {@code Retry-After} (RFC 3261 21.5.4: try another server) to {@code request}:
   * a new INVITE turned away by admission, or an OPTIONS while draining.
   */
  private Response unavailable(Request request, int retryAfterSeconds) {
    Response r = ctx.responder().create(request, Response.SERVICE_UNAVAILABLE, null);
    try {
      r.setHeader(headers().createRetryAfterHeader(retryAfterSeconds));
    } catch (javax.sip.InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
    return r;
  }

  /** From now on new INVITEs and OPTIONS get 503 with {@code Retry-After}; calls in progress go on. */
  void drain(Duration retryAfter) {
    draining = retryAfter;
  }

  private javax.sip.header.RetryAfterHeader retryAfterHeader(Duration retryAfter)
      throws javax.sip.InvalidArgumentException {
    return headers().createRetryAfterHeader(seconds(retryAfter));
  }

  /** A drain's {@code Retry-After} in whole seconds, at least 1. */
  private static int seconds(Duration retryAfter) {
    return (int) Math.max(1, retryAfter.toSeconds());
  }

  private Optional<Call> inDialog(ServerTransaction st, Request request) {
    Call call = ctx.registry().get(key(request));
    if (call == null) {
      reply(st, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
      return Optional.empty();
    }
    return Optional.of(call);
  }

  /**
   * Answers an OPTIONS as an INVITE would be answered (RFC 3261 11.2): 200 with what we accept, or
   * 503 with Retry-After while draining, so that a proxy probing us (Kamailio's dispatcher) takes
   * this instance out of its rotation before any INVITE is refused.
   */
  private void options(ServerTransaction st) {
    Duration retryAfter = draining;
    if (retryAfter != null) {
      ctx.responder().send(st, unavailable(st.getRequest(), seconds(retryAfter)));
      return;
    }
    Response r = ctx.responder().create(st.getRequest(), Response.OK, null);
    try {
      r.setHeader(allow());
      r.setHeader(headers().createAcceptHeader("application", "sdp"));
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
    ctx.responder().send(st, r);
  }

  private javax.sip.header.AllowHeader allow() {
    try {
      return headers().createAllowHeader(Responder.ALLOW);
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  private void reply(ServerTransaction st, int status) {
    ctx.responder().send(st, ctx.responder().create(st.getRequest(), status, null));
  }

  private ServerTransaction serverTransaction(RequestEvent event) {
    ServerTransaction st = event.getServerTransaction();
    if (st != null) {
      return st;
    }
    SipProvider provider = (SipProvider) event.getSource();
    try {
      return provider.getNewServerTransaction(event.getRequest());
    } catch (TransactionAlreadyExistsException e) {
      return null; // a retransmission the transaction layer already answers
    } catch (TransactionUnavailableException e) {
      LOG.debug("no transaction for {}: {}", event.getRequest().getMethod(), e.getMessage());
      return null;
    }
  }

  private static String headerValue(javax.sip.header.Header h) {
    String s = h.toString();
    int colon = s.indexOf(':');
    return (colon >= 0 ? s.substring(colon + 1) : s).trim();
  }

  private HeaderFactory headers() {
    return HEADERS;
  }

  private static final HeaderFactory HEADERS;

  static {
    try {
      HEADERS = javax.sip.SipFactory.getInstance().createHeaderFactory();
    } catch (javax.sip.PeerUnavailableException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static String key(Request request) {
    String fromTag = ((FromHeader) request.getHeader(FromHeader.NAME)).getTag();
    return callId(request) + "|" + (fromTag == null ? "" : fromTag);
  }

  private static String callId(Request request) {
    return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
  }

  private static String toTag(Request request) {
    return ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
  }

  private static String newCallId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Override
  public void processResponse(ResponseEvent event) {
    ClientTransaction ct = event.getClientTransaction();
    if (ct != null && ct.getApplicationData() instanceof Call call
        && event.getResponse().getStatusCode() >= 200) {
      call.onByeCompleted();
    }
  }

  @Override
  public void processTimeout(TimeoutEvent event) {
    if (!event.isServerTransaction() && event.getClientTransaction().getApplicationData() instanceof Call call) {
      call.onByeCompleted();
    }
  }

  @Override
  public void processIOException(IOExceptionEvent event) {
    LOG.debug("I/O error towards {}:{} ({})", event.getHost(), event.getPort(), event.getTransport());
  }

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent event) {
    // Transactions end on their own; the call tracks what matters to it.
  }

  @Override
  public void processDialogTerminated(DialogTerminatedEvent event) {
    // The call's own state machine decides when a call is over.
  }

  @Override
  public void processDialogTimeout(DialogTimeoutEvent event) {
    // The stack gave up retransmitting our 2xx: the call's own ACK timer ends the call.
    LOG.debug("dialog timeout: {}", event.getReason());
  }
}
