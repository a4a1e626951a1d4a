package io.ringhook.webhook.bench;

import io.netty.handler.codec.http.FullHttpRequest;
import io.ringhook.webhook.WebhookRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
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
 * JMH benchmark of the webhook's per-call CPU work, without sockets: building the documented
 * body, stamping one attempt's HTTP request (headers, idempotency key, HMAC signature), and judging
 * a response (JSON parse, {@code dynamic_variables} flattened to strings).
 *
 * <p>The classes measured are package-private; method handles in static finals reach them once,
 * and the JIT treats those as constants. Run with {@code sipp-scenarios/bench/jmh.sh webhook-hook}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class WebhookJsonBench {

  static final byte[] RESPONSE = ("{\"dynamic_variables\":{\"customer_name\":\"Ada Lovelace\",\"tier\":\"gold\","
      + "\"balance\":19.90,\"open_tickets\":3,\"vip\":true,\"last_order\":{\"id\":\"A-1001\",\"items\":[1,2]}},"
      + "\"note\":\"ignored\"}").getBytes(StandardCharsets.UTF_8);

  private static final MethodHandle BODY;
  private static final MethodHandle MESSAGE;
  private static final MethodHandle STAMP;
  private static final MethodHandle RESPONSE_OF;
  private static final MethodHandle EVALUATE;
  private static final MethodHandle ORIGIN_OF;

  static {
    try {
      ClassLoader cl = WebhookJsonBench.class.getClassLoader();
      Class<?> message = Class.forName("io.ringhook.webhook.WebhookMessage", true, cl);
      Class<?> origin = Class.forName("io.ringhook.webhook.Origin", true, cl);
      Class<?> response = Class.forName("io.ringhook.webhook.Response", true, cl);
      Class<?> evaluator = Class.forName("io.ringhook.webhook.ResponseEvaluator", true, cl);
      Class<?> verdict = Class.forName("io.ringhook.webhook.ResponseEvaluator$Verdict", true, cl);
      MethodHandles.Lookup l = MethodHandles.privateLookupIn(message, MethodHandles.lookup());
      BODY = l.findStatic(message, "body", MethodType.methodType(byte[].class, String.class, String.class));
      MESSAGE = l.findConstructor(message,
              MethodType.methodType(void.class, WebhookRequest.class, origin, String.class, Clock.class))
          .asType(MethodType.methodType(Object.class, WebhookRequest.class, Object.class, String.class, Clock.class));
      STAMP = l.findVirtual(message, "request", MethodType.methodType(FullHttpRequest.class, int.class))
          .asType(MethodType.methodType(FullHttpRequest.class, Object.class, int.class));
      ORIGIN_OF = l.findStatic(origin, "of", MethodType.methodType(origin, URI.class))
          .asType(MethodType.methodType(Object.class, URI.class));
      RESPONSE_OF = l.findConstructor(response,
              MethodType.methodType(void.class, int.class, String.class, String.class, byte[].class, boolean.class))
          .asType(MethodType.methodType(Object.class, int.class, String.class, String.class, byte[].class,
              boolean.class));
      EVALUATE = l.findStatic(evaluator, "evaluate", MethodType.methodType(verdict, response))
          .asType(MethodType.methodType(Object.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private WebhookRequest signed;
  private Object origin;
  private Object okResponse;
  private final Clock clock = Clock.systemUTC();

  @Setup
  public void setup() throws Throwable {
    URI url = URI.create("https://crm.example.com/inbound?line=sales");
    signed = new WebhookRequest("3962df8995e29b6e", "+12345678912", "+12345678913", url, "whsec_0123456789abcdef");
    origin = (Object) ORIGIN_OF.invokeExact(url);
    okResponse = (Object) RESPONSE_OF.invokeExact(200, "application/json", (String) null, RESPONSE, true);
  }

  /** The documented body, {@code {"event":"inbound_call","from_number":…,"to_number":…}}, through Jackson. */
  @Benchmark
  public byte[] buildBody() throws Throwable {
    return (byte[]) BODY.invokeExact("+12345678912", "+12345678913");
  }

  /** One call's message built, then one signed attempt stamped (headers, idempotency key, HMAC-SHA256). */
  @Benchmark
  public int buildSignedRequest() throws Throwable {
    Object message = (Object) MESSAGE.invokeExact(signed, origin, "ringhook/bench", clock);
    FullHttpRequest req = (FullHttpRequest) STAMP.invokeExact(message, 1);
    int n = req.headers().size() + req.content().readableBytes();
    req.release();
    return n;
  }

  /** A 2xx with seven dynamic variables (strings, a decimal, an integer, a boolean, nested JSON) judged. */
  @Benchmark
  public Object parseResponse() throws Throwable {
    return (Object) EVALUATE.invokeExact(okResponse);
  }
}
