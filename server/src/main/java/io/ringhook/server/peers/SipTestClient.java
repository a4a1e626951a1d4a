package io.ringhook.server.peers;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A scripted SIP user agent on the JAIN-SIP RI for tests that need exact message sequences
 * (CANCEL while ringing, a retransmitted INVITE, re-INVITE, OPTIONS, a BYE from the server).
 *
 * <p>Also what {@code ringhook.jar call} places its call with (see {@code CallCommand}).
 *
 * <p>Each client has its own stack on 127.0.0.1 (or the builder's host) with a free UDP port (and TCP on the same port
 * when asked). Everything received is collected: {@link #awaitResponse} and
 * {@link #awaitRequest} return the oldest not-yet-awaited match, so the order in which a test
 * waits does not lose messages. Requests from the other side are answered by the test with
 * {@link #respond}, or at once with {@link #autoRespond}. The stack logs through
 * {@link TestStackLogger} and {@link TestWireLogger} (no log4j); {@code trace(true)} prints every
 * message sent and received.
 *
 * <pre>{@code
 * try (SipTestClient c = SipTestClient.builder("carrier").start()) {
 *   SipTestCall call = c.invite("sip:+15550001@127.0.0.1:" + port).send();
 *   call.awaitResponse(180, Duration.ofSeconds(2));
 *   call.cancel();
 *   call.awaitResponse(487, Duration.ofSeconds(2));
 * }
 * }</pre>
 */
public final class SipTestClient implements AutoCloseable {
  private static final AtomicInteger STACKS = new AtomicInteger();

  private final String name;
  private final String host;
  private final String stackName;
  private final SipStack stack;
  private final SipProvider provider;
  private final int port;
  private final boolean tcp;
  private final AddressFactory addresses;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final Inbox<Response> responses = new Inbox<>();
  private final Inbox<RequestEvent> requests = new Inbox<>();
  private final Inbox<String> problems = new Inbox<>();
  private final Map<String, Integer> autoResponses = new ConcurrentHashMap<>();
  private final Map<Request, ServerTransaction> serverTransactions = Collections.synchronizedMap(new IdentityHashMap<>());
  private final Map<ServerTransaction, String> toTags = Collections.synchronizedMap(new IdentityHashMap<>());
  private final Listener listener = new Listener();
  private RawSipSocket raw;

  private SipTestClient(String name, String host, boolean tcp, boolean trace) throws SipException {
    this.name = name;
    this.host = host;
    this.tcp = tcp;
    this.stackName = "siptest-" + name + "-" + STACKS.incrementAndGet();
    SipFactory factory = SipFactory.getInstance();
    factory.setPathName("gov.nist");
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", stackName);
    // Without these two the RI loads gov.nist.core.LogWriter, which needs log4j 1.x.
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", TestStackLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", TestWireLogger.class.getName());
    p.setProperty(TestWireLogger.TRACE_PROPERTY, Boolean.toString(trace));
    p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "true");
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    // One message-processing thread: with several, a 180 and a 200 sent back to back can be
    // processed out of order and the late 180 is dropped by the finished client transaction.
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
    try {
      // new, not factory.createSipStack: the factory keeps every stack it makes for the JVM's life, so a test JVM
      // kept every client it made, with its last transactions and dialogs, after stop().
      this.stack = new gov.nist.javax.sip.SipStackImpl(p);
      this.addresses = factory.createAddressFactory();
      this.headers = factory.createHeaderFactory();
      this.messages = factory.createMessageFactory();
    } catch (javax.sip.PeerUnavailableException e) {
      throw new SipException("cannot create JAIN-SIP stack " + stackName, e);
    }
    SipException last = null;
    SipProvider made = null;
    int bound = 0;
    for (int attempt = 0; attempt < 5 && made == null; attempt++) {
      int candidate = tcp ? FreePorts.udpAndTcp() : FreePorts.consecutive(1, true);
      ListeningPoint udpLp = null;
      try {
        udpLp = stack.createListeningPoint(host, candidate, ListeningPoint.UDP);
        made = stack.createSipProvider(udpLp);
        if (tcp) {
          made.addListeningPoint(stack.createListeningPoint(host, candidate, ListeningPoint.TCP));
        }
        bound = candidate;
      } catch (Exception e) { // InvalidArgumentException on "Address already in use", and others
        last = new SipException("cannot listen on " + host + ":" + candidate + ": " + e, e);
        cleanUp(made, udpLp);
        made = null;
      }
    }
    if (made == null) {
      stack.stop();
      throw last;
    }
    this.provider = made;
    this.port = bound;
    try {
      provider.addSipListener(listener);
    } catch (java.util.TooManyListenersException e) {
      throw new SipException("provider already has a listener", e);
    }
    stack.start();
  }

  private void cleanUp(SipProvider made, ListeningPoint udpLp) {
    try {
      if (made != null) {
        stack.deleteSipProvider(made);
      }
      if (udpLp != null) {
        stack.deleteListeningPoint(udpLp);
      }
    } catch (Exception ignored) {
      // Best effort before the next attempt.
    }
  }

  /** Returns a builder for a client called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder of {@link SipTestClient}s: UDP only and no trace by default. */
  public static final class Builder {
    private final String name;
    private boolean tcp;
    private boolean trace;
    private String host = "127.0.0.1";

    private Builder(String name) {
      if (name == null || !name.matches("[A-Za-z0-9_-]{1,32}")) {
        throw new IllegalArgumentException("client name must be 1-32 of [A-Za-z0-9_-], was " + name);
      }
      this.name = name;
    }

    /** Listens on TCP too, on the same port; send over TCP with {@code ;transport=tcp} in the Request-URI. */
    public Builder tcp() {
      this.tcp = true;
      return this;
    }

    /** Listens on {@code address} (an IP address of this machine) instead of 127.0.0.1. */
    public Builder host(String address) {
      this.host = address;
      return this;
    }

    /** Prints every SIP message this client sends or receives to stdout when {@code on}. */
    public Builder trace(boolean on) {
      this.trace = on;
      return this;
    }

    /** Creates the stack and starts listening. */
    public SipTestClient start() throws SipException {
      return new SipTestClient(name, host, tcp, trace);
    }
  }

  /** Returns the client's name. */
  public String name() {
    return name;
  }

  /** Returns the port this client listens on (UDP, and TCP when enabled). */
  public int port() {
    return port;
  }

  /** Returns {@code sip:user@<host>:port}, an address of this client. */
  public String uri(String user) {
    return "sip:" + user + "@" + host + ":" + port;
  }

  /** Starts an INVITE to {@code requestUri}; see {@link InviteBuilder} for its defaults. */
  public InviteBuilder invite(String requestUri) {
    return new InviteBuilder(this, requestUri);
  }

  /**
   * Returns a new out-of-dialog request (new Call-ID, From {@code sip:siptest@...} with a tag,
   * To = {@code requestUri}, CSeq 1, Max-Forwards 70, Via and Contact of this client, transport
   * from the URI's {@code transport} parameter), not yet sent.
   */
  public Request request(String method, String requestUri) {
    try {
      SipURI target = (SipURI) addresses.createURI(requestUri);
      String transport = target.getTransportParam() == null ? "udp" : target.getTransportParam().toLowerCase();
      if (transport.equals("tcp") && !tcp) {
        throw new IllegalStateException(name + " has no TCP listening point: build it with tcp()");
      }
      CallIdHeader callId = provider.getNewCallId();
      CSeqHeader cseq = headers.createCSeqHeader(1L, method);
      var from = headers.createFromHeader(addresses.createAddress(uri("siptest")), newTag());
      var to = headers.createToHeader(addresses.createAddress(requestUri.replaceAll(";transport=\\w+", "")), null);
      ViaHeader via = headers.createViaHeader(host, port, transport, null);
      Request r = messages.createRequest(target, method, callId, cseq, from, to, new ArrayList<>(List.of(via)),
          headers.createMaxForwardsHeader(70));
      r.addHeader(contact(transport));
      return r;
    } catch (ParseException | javax.sip.InvalidArgumentException e) {
      throw new IllegalArgumentException("cannot build " + method + " to " + requestUri + ": " + e.getMessage(), e);
    }
  }

  /** Sends {@code request} in a new client transaction (retransmitted on UDP, matched to its responses). */
  public ClientTransaction send(Request request) {
    try {
      ClientTransaction ct = provider.getNewClientTransaction(request);
      ct.sendRequest();
      return ct;
    } catch (SipException e) {
      throw new IllegalStateException(name + " cannot send " + request.getMethod() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Sends {@code request} statelessly, exactly as it is (Via branch included): a retransmission
   * of a request already sent in a transaction, or a request the transaction layer would refuse.
   */
  public void sendStateless(Request request) {
    try {
      provider.sendRequest(request);
    } catch (SipException e) {
      throw new IllegalStateException(name + " cannot send " + request.getMethod() + " statelessly: " + e.getMessage(), e);
    }
  }

  /** Sends an OPTIONS outside any dialog (a carrier's trunk ping). */
  public ClientTransaction options(String requestUri) {
    return send(request(Request.OPTIONS, requestUri));
  }

  /** Waits for the oldest not-yet-awaited response with {@code status} to a {@code method} request. */
  public Response awaitResponse(String method, int status, Duration timeout) {
    return responses.take(r -> status == r.getStatusCode() && method.equals(cseqMethod(r)), timeout,
        () -> status + " to " + method + " on " + describe());
  }

  /** Like {@link #awaitResponse} but empty on timeout, to assert that something does not arrive. */
  public Optional<Response> pollResponse(String method, int status, Duration timeout) {
    return poll(responses, r -> status == r.getStatusCode() && method.equals(cseqMethod(r)), timeout);
  }

  /** Waits for the oldest not-yet-awaited request of {@code method} from the other side. */
  public RequestEvent awaitRequest(String method, Duration timeout) {
    return requests.take(e -> method.equals(e.getRequest().getMethod()), timeout,
        () -> method + " request on " + describe());
  }

  /** Like {@link #awaitRequest} but empty on timeout. */
  public Optional<RequestEvent> pollRequest(String method, Duration timeout) {
    return poll(requests, e -> method.equals(e.getRequest().getMethod()), timeout);
  }

  /** Returns every response received so far, oldest first. */
  public List<Response> responses() {
    return responses.all();
  }

  /** Returns every request received so far, oldest first. */
  public List<Request> requests() {
    return requests.all().stream().map(RequestEvent::getRequest).toList();
  }

  /** Returns transaction timeouts and I/O errors the stack reported, as text. */
  public List<String> problems() {
    return problems.all();
  }

  /** Answers every future {@code method} request at once with {@code status} (e.g. BYE 200). */
  public void autoRespond(String method, int status) {
    autoResponses.put(method, status);
  }

  /** Answers the request of {@code event} with {@code status} and no body. */
  public void respond(RequestEvent event, int status) {
    respond(event, status, null);
  }

  /**
   * Answers the request of {@code event} with {@code status} and, when not null, an SDP body;
   * every response to one request carries the same To-tag, and 1xx/2xx to an INVITE a Contact.
   * Call again for the next response (180, then 200; or 487 after a CANCEL).
   */
  public void respond(RequestEvent event, int status, String sdp) {
    Request request = event.getRequest();
    if (Request.ACK.equals(request.getMethod())) {
      throw new IllegalArgumentException("an ACK gets no response");
    }
    try {
      ServerTransaction st = serverTransaction(event);
      Response response = messages.createResponse(status, request);
      ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
      if (status > 100 && to.getTag() == null) {
        to.setTag(toTags.computeIfAbsent(st, t -> newTag()));
      }
      if (Request.INVITE.equals(request.getMethod()) && status < 300) {
        response.addHeader(contact(((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport().toLowerCase()));
      }
      if (sdp != null) {
        response.setContent(sdp, headers.createContentTypeHeader("application", "sdp"));
      }
      st.sendResponse(response);
    } catch (ParseException | SipException | javax.sip.InvalidArgumentException e) {
      throw new IllegalStateException(name + " cannot send " + status + " to " + request.getMethod() + ": " + e, e);
    }
  }

  /**
   * Returns the server transaction of {@code event}'s request, creating it on first use (the RI
   * delivers a new INVITE without one); its dialog is the callee's side of the call.
   */
  public ServerTransaction serverTransaction(RequestEvent event) {
    return event.getServerTransaction() != null ? event.getServerTransaction()
        : serverTransactions.computeIfAbsent(event.getRequest(), this::newServerTransaction);
  }

  /** Sends {@code method} in {@code dialog} (e.g. a BYE from the callee side) with an optional SDP body. */
  public ClientTransaction sendInDialog(javax.sip.Dialog dialog, String method, String sdp) {
    try {
      Request r = dialog.createRequest(method);
      if (Request.INVITE.equals(method)) {
        r.setHeader(contact(((ViaHeader) r.getHeader(ViaHeader.NAME)).getTransport().toLowerCase()));
      }
      if (sdp != null) {
        r.setContent(sdp, headers.createContentTypeHeader("application", "sdp"));
      }
      ClientTransaction ct = provider.getNewClientTransaction(r);
      dialog.sendRequest(ct);
      return ct;
    } catch (SipException | ParseException e) {
      throw new IllegalStateException(name + " cannot send " + method + " in dialog " + dialog.getCallId().getCallId()
          + ": " + e.getMessage(), e);
    }
  }

  private ServerTransaction newServerTransaction(Request request) {
    try {
      return provider.getNewServerTransaction(request);
    } catch (SipException e) {
      throw new IllegalStateException("no server transaction for " + request.getMethod() + ": " + e, e);
    }
  }

  /** Returns a UDP socket of its own for raw, possibly malformed, messages (opened on first use). */
  public synchronized RawSipSocket raw() {
    if (raw == null) {
      raw = RawSipSocket.open();
    }
    return raw;
  }

  /** Returns the JAIN-SIP provider, for anything this class does not wrap. */
  public SipProvider provider() {
    return provider;
  }

  /** Returns the JAIN-SIP address factory. */
  public AddressFactory addressFactory() {
    return addresses;
  }

  /** Returns the JAIN-SIP header factory. */
  public HeaderFactory headerFactory() {
    return headers;
  }

  /** Returns the JAIN-SIP message factory. */
  public MessageFactory messageFactory() {
    return messages;
  }

  javax.sip.header.ContactHeader contact(String transport) throws ParseException {
    String uri = uri("siptest") + (transport.equals("tcp") ? ";transport=tcp" : "");
    return headers.createContactHeader(addresses.createAddress(uri));
  }

  static String newTag() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  static String cseqMethod(javax.sip.message.Message m) {
    CSeqHeader cseq = (CSeqHeader) m.getHeader(CSeqHeader.NAME);
    return cseq == null ? "" : cseq.getMethod();
  }

  Inbox<Response> responseInbox() {
    return responses;
  }

  /** Returns this client's port and everything it received, for assertion messages. */
  public String describe() {
    StringBuilder s = new StringBuilder("SIP test client '" + name + "' on " + host + ":" + port + "\n  responses:");
    for (Response r : responses.all()) {
      s.append("\n    ").append(r.getStatusCode()).append(' ').append(r.getReasonPhrase())
          .append(" (").append(cseqMethod(r)).append(')');
    }
    s.append("\n  requests:");
    for (RequestEvent e : requests.all()) {
      s.append("\n    ").append(e.getRequest().getMethod());
    }
    s.append("\n  problems: ").append(problems.all());
    return s.toString();
  }

  static <T> Optional<T> poll(Inbox<T> inbox, java.util.function.Predicate<T> match, Duration timeout) {
    try {
      return inbox.poll(match, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Stops the stack in the background and closes the raw socket. The RI's {@code stop()} closes
   * the sockets and then sleeps a whole second; tests need not wait for that.
   */
  @Override
  public void close() {
    provider.removeSipListener(listener);
    var scanner = ((gov.nist.javax.sip.SipStackImpl) stack).getEventScanner();
    Thread stopper = new Thread(() -> {
      stack.stop();
      TestWireLogger.stopped(stackName);
      if (scanner != null) {
        // RI bug: stop() flags the event scanner but leaves its (non-daemon) thread blocked in
        // take() forever; one dummy event wakes it up to see the flag and exit.
        scanner.addEvent(new gov.nist.javax.sip.EventWrapper(new java.util.EventObject(this), null));
      }
    }, "siptest-stop-" + name);
    stopper.setDaemon(true);
    stopper.start();
    synchronized (this) {
      if (raw != null) {
        raw.close();
      }
    }
  }

  @Override
  public String toString() {
    return "SipTestClient[" + name + " " + host + ":" + port + "]";
  }

  /** Collects what the stack delivers; runs on JAIN-SIP threads, so it only records and auto-responds. */
  private final class Listener implements SipListener {
    @Override
    public void processRequest(RequestEvent event) {
      requests.add(event);
      Integer status = autoResponses.get(event.getRequest().getMethod());
      if (status != null && !Request.ACK.equals(event.getRequest().getMethod())) {
        try {
          respond(event, status);
        } catch (RuntimeException e) {
          problems.add("auto-response " + status + " to " + event.getRequest().getMethod() + " failed: " + e);
        }
      }
    }

    @Override
    public void processResponse(ResponseEvent event) {
      responses.add(event.getResponse());
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
      var tx = event.isServerTransaction() ? event.getServerTransaction() : event.getClientTransaction();
      problems.add("timeout " + event.getTimeout() + (tx == null ? "" : " of " + tx.getRequest().getMethod()));
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
      problems.add("I/O error to " + event.getHost() + ":" + event.getPort() + "/" + event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
      // Nothing to record.
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
      // Nothing to record.
    }
  }
}
