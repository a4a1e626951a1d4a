package io.ringhook.sip.bench;

import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.PhoneNumbers;
import io.ringhook.sip.Sdp;
import io.ringhook.sip.SdpAnswer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the SIP work of one call, without sockets or threads: what the JAIN-SIP
 * listener and the call do for each message of an INVITE/180/200/ACK/BYE call.
 *
 * <p>{@code CallStateMachine} and its events are package-private; the benchmark reaches them once,
 * at class load, through method handles kept in static finals, which the JIT treats as constants,
 * so the measured call costs what a direct call costs. Run with {@code sipp-scenarios/bench/jmh.sh}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// JAIN-SIP's parser has huge methods that C2 takes seconds to compile: a short warm-up measures the
// interpreter and C1 (the score falls for the first ten seconds or so).
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SipCallBench {

  static final String INVITE = String.join("\r\n",
      "INVITE sip:+15550001000@127.0.0.1:5060 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-4242-1-0",
      "From: \"SIPp\" <sip:+15550009999@127.0.0.1:5070>;tag=4242SIPpTag001",
      "To: <sip:+15550001000@127.0.0.1:5060>",
      "Call-ID: 1-4242@127.0.0.1",
      "CSeq: 1 INVITE",
      "Contact: <sip:+15550009999@127.0.0.1:5070;transport=UDP>",
      "Max-Forwards: 70",
      "User-Agent: SIPp ringhook uac-basic",
      "Content-Type: application/sdp",
      "Content-Length: %d",
      "",
      "%s");
  static final String SDP = String.join("\r\n",
      "v=0",
      "o=sipp 53655765 2353687637 IN IP4 127.0.0.1",
      "s=ringhook uac-basic",
      "c=IN IP4 127.0.0.1",
      "t=0 0",
      "m=audio 6000 RTP/AVP 0 8 101",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      "a=ptime:20",
      "a=sendrecv",
      "");
  static final String BYE = String.join("\r\n",
      "BYE sip:+15550001000@127.0.0.1:5060 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-4242-1-9",
      "From: \"SIPp\" <sip:+15550009999@127.0.0.1:5070>;tag=4242SIPpTag001",
      "To: <sip:+15550001000@127.0.0.1:5060>;tag=rh654d3aa99e2c",
      "Call-ID: 1-4242@127.0.0.1",
      "CSeq: 2 BYE",
      "Contact: <sip:+15550009999@127.0.0.1:5070;transport=UDP>",
      "Max-Forwards: 70",
      "Content-Length: 0",
      "",
      "");

  private static final MethodHandle NEXT;
  private static final MethodHandle NEXT_STATE;
  private static final Object RINGING;
  private static final List<Object> EVENTS;

  static {
    try {
      ClassLoader cl = SipCallBench.class.getClassLoader();
      Class<?> machine = Class.forName("io.ringhook.sip.CallStateMachine", true, cl);
      Class<?> state = Class.forName("io.ringhook.sip.CallState", true, cl);
      Class<?> event = Class.forName("io.ringhook.sip.CallEvent", true, cl);
      Class<?> transition = Class.forName("io.ringhook.sip.CallStateMachine$Transition", true, cl);
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(machine, MethodHandles.lookup());
      NEXT = lookup.findStatic(machine, "next", MethodType.methodType(transition, state, event))
          .asType(MethodType.methodType(Object.class, Object.class, Object.class));
      NEXT_STATE = lookup.findVirtual(transition, "next", MethodType.methodType(state))
          .asType(MethodType.methodType(Object.class, Object.class));
      RINGING = constant(state, "RINGING");
      Class<?> ackAnswer = Class.forName("io.ringhook.sip.CallEvent$AckAnswer", true, cl);
      EVENTS = List.of(
          make(cl, "Decided", new Class<?>[] {CallDecision.class},
              new CallDecision.Connect(Map.of("customer", "gold"), "webhook 200", java.util.Optional.empty(),
                  List.of())),
          make(cl, "MediaReady", new Class<?>[0]),
          make(cl, "AckReceived", new Class<?>[] {ackAnswer}, constant(ackAnswer, "NOT_NEEDED")),
          make(cl, "ByeReceived", new Class<?>[0]));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** An enum constant of a package-private enum (getEnumConstants needs no access to the type). */
  private static Object constant(Class<?> type, String name) {
    for (Object c : type.getEnumConstants()) {
      if (((Enum<?>) c).name().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(type + " has no " + name);
  }

  private static Object make(ClassLoader cl, String name, Class<?>[] types, Object... args)
      throws ReflectiveOperationException {
    Constructor<?> c = Class.forName("io.ringhook.sip.CallEvent$" + name, true, cl).getDeclaredConstructor(types);
    c.setAccessible(true);
    return c.newInstance(args);
  }

  private byte[] invite;
  private byte[] bye;
  private HeaderFactoryImpl headers;
  private ContentTypeHeader sdpType;
  private ContactHeader contact;
  private SIPRequest parsed;

  @Setup
  public void setup() throws Exception {
    invite = String.format(INVITE, SDP.length(), SDP).getBytes(StandardCharsets.UTF_8);
    bye = BYE.getBytes(StandardCharsets.UTF_8);
    headers = new HeaderFactoryImpl();
    sdpType = headers.createContentTypeHeader("application", "sdp");
    contact = headers.createContactHeader(
        new gov.nist.javax.sip.address.AddressFactoryImpl().createAddress("<sip:127.0.0.1:5060>"));
    parsed = (SIPRequest) new StringMsgParser().parseSIPMessage(invite, true, false, null);
  }

  /** JAIN-SIP's parser on one INVITE with SDP. */
  @Benchmark
  public Object parseInvite() throws Exception {
    return new StringMsgParser().parseSIPMessage(invite, true, false, null);
  }

  /**
   * The INVITE's whole answer path: parse; dialed and caller numbers to E.164; SDP offer/answer;
   * 100, 180 (with To tag) and 200 (Contact, SDP) built and encoded to bytes.
   */
  @Benchmark
  public int inviteToAnswer() throws Exception {
    SIPRequest req = (SIPRequest) new StringMsgParser().parseSIPMessage(invite, true, false, null);
    String to = PhoneNumbers.dialed(req.getRequestURI().toString(), req.getTo().getAddress().getURI().toString(),
        Optional.empty());
    String from = PhoneNumbers.caller(null, req.getFrom().getAddress().getURI().toString(), Optional.empty());
    SdpAnswer answer = Sdp.answer(new String(req.getRawContent(), StandardCharsets.UTF_8), "127.0.0.1", 20000,
        42L, 1L);
    int bytes = to.length() + from.length();
    SIPResponse trying = req.createResponse(100);
    bytes += trying.encodeAsBytes("UDP").length;
    SIPResponse ringing = req.createResponse(180);
    ringing.getTo().setTag("rh654d3aa99e2c");
    bytes += ringing.encodeAsBytes("UDP").length;
    SIPResponse ok = req.createResponse(200);
    ok.getTo().setTag("rh654d3aa99e2c");
    ok.addHeader(contact);
    if (answer instanceof SdpAnswer.Accepted a) {
      ok.setContent(a.sdp(), sdpType);
    }
    bytes += ok.encodeAsBytes("UDP").length;
    return bytes;
  }

  /** ringhook's own part of the INVITE: SDP offer parsed and answered (RFC 3264). */
  @Benchmark
  public Object sdpAnswer() {
    return Sdp.answer(SDP, "127.0.0.1", 20000, 42L, 1L);
  }

  /** ringhook's own part of the INVITE: dialed and caller numbers to E.164. */
  @Benchmark
  public int numbers() {
    return PhoneNumbers.dialed("sip:+15550001000@127.0.0.1:5060", "sip:+15550001000@127.0.0.1:5060", Optional.empty())
        .length() + PhoneNumbers.caller(null, "sip:+15550009999@127.0.0.1:5070", Optional.empty()).length();
  }

  /** JAIN-SIP building and encoding the three responses of an INVITE (parse excluded). */
  @Benchmark
  public int threeResponses() throws Exception {
    SIPRequest req = parsed;
    int bytes = req.createResponse(100).encodeAsBytes("UDP").length;
    SIPResponse ringing = req.createResponse(180);
    ringing.getTo().setTag("rh654d3aa99e2c");
    bytes += ringing.encodeAsBytes("UDP").length;
    SIPResponse ok = req.createResponse(200);
    ok.getTo().setTag("rh654d3aa99e2c");
    ok.addHeader(contact);
    ok.setContent(SDP, sdpType);
    return bytes + ok.encodeAsBytes("UDP").length;
  }

  /** A BYE parsed and its 200 built and encoded. */
  @Benchmark
  public int byeToOk() throws Exception {
    SIPRequest req = (SIPRequest) new StringMsgParser().parseSIPMessage(bye, true, false, null);
    return req.createResponse(200).encodeAsBytes("UDP").length;
  }

  /** The call state machine through a whole answered call: decided, media ready, ACK, BYE. */
  @Benchmark
  public Object stateMachineCall() throws Throwable {
    Object state = RINGING;
    for (Object event : EVENTS) {
      state = NEXT_STATE.invokeExact(NEXT.invokeExact(state, event));
    }
    return state;
  }
}
