package io.ringhook.server;

import io.ringhook.server.config.CircuitBreakerSettings;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One circuit breaker per webhook origin (scheme, host, port), so a CRM that is down stops costing
 * every caller the whole retry schedule. After {@code failures} failed attempts in a row within
 * {@code window} the origin is open: calls get the number's failure policy at once, without a
 * request. After {@code cool_down} the next call is the probe (half-open) while others still skip;
 * an attempt that succeeds closes the breaker, a probe that ends without success opens it again.
 *
 * <p>Called from JAIN-SIP threads (acquire) and Netty event loops (attempt results): each breaker's
 * state is guarded by its own monitor, held for a few field updates, never while waiting.
 */
final class CircuitBreakers {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakers.class);

  /** A breaker's state; {@link #value()} is its log and metric name. */
  enum State {
    CLOSED, OPEN, HALF_OPEN;

    String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Told of each state change (metrics); must not block. */
  interface Listener {
    void changed(String origin, State from, State to);
  }

  /** What {@link #acquire} allows a call. */
  enum Permit {
    /** Ask the webhook as usual. */
    PASS,
    /** Ask it as the one probe of a half-open breaker; report the end with {@link #probeEnded}. */
    PROBE,
    /** The breaker is open: apply the failure policy without asking. */
    SKIP
  }

  private final CircuitBreakerSettings settings;
  private final LongSupplier nanos;
  private final Listener listener;
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

  /**
   * @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime}; a test's own)
   */
  CircuitBreakers(CircuitBreakerSettings settings, LongSupplier nanos, Listener listener) {
    this.settings = settings;
    this.nanos = nanos;
    this.listener = listener;
  }

  /** The breaker key of a webhook URL: {@code scheme://host:port}, as the connection pools key origins. */
  static String origin(URI url) {
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** Whether, and how, a new call may ask {@code origin}. */
  Permit acquire(String origin) {
    return breaker(origin).acquire(nanos.getAsLong());
  }

  /** An attempt to {@code origin} ended; a hang-up's aborted attempt is not reported. */
  void attemptEnded(String origin, boolean succeeded) {
    breaker(origin).attemptEnded(succeeded, nanos.getAsLong());
  }

  /** The probe call ended; {@code succeeded} when one of its attempts did. */
  void probeEnded(String origin, boolean succeeded) {
    breaker(origin).probeEnded(succeeded, nanos.getAsLong());
  }

  /** The state of {@code origin}'s breaker (closed for an origin never seen). */
  State state(String origin) {
    Breaker b = breakers.get(origin);
    return b == null ? State.CLOSED : b.state();
  }

  private Breaker breaker(String origin) {
    return breakers.computeIfAbsent(origin, Breaker::new);
  }

  private final class Breaker {
    private final String origin;
    private State state = State.CLOSED;
    private int failures;
    private long firstFailure;
    private long openedAt;
    private boolean probing;

    Breaker(String origin) {
      this.origin = origin;
    }

    synchronized State state() {
      return state;
    }

    Permit acquire(long now) {
      State from;
      synchronized (this) {
        if (state == State.CLOSED) {
          return Permit.PASS;
        }
        if (state == State.HALF_OPEN || now - openedAt < settings.coolDown().toNanos()) {
          return Permit.SKIP;
        }
        from = state;
        state = State.HALF_OPEN;
        probing = true;
      }
      changed(from, State.HALF_OPEN, "cool-down over, one probe call");
      return Permit.PROBE;
    }

    void attemptEnded(boolean succeeded, long now) {
      State from;
      String why;
      synchronized (this) {
        from = state;
        if (succeeded) {
          failures = 0;
          if (state == State.CLOSED) {
            return;
          }
          state = State.CLOSED;
          probing = false;
          why = "an attempt succeeded";
        } else {
          if (failures == 0 || now - firstFailure > settings.window().toNanos()) {
            failures = 0;
            firstFailure = now;
          }
          failures++;
          if (state != State.CLOSED || failures < settings.failures()) {
            return;
          }
          state = State.OPEN;
          openedAt = now;
          why = failures + " failed attempts in a row within " + settings.window().toMillis() + "ms";
        }
      }
      changed(from, succeeded ? State.CLOSED : State.OPEN, why);
    }

    void probeEnded(boolean succeeded, long now) {
      synchronized (this) {
        if (!probing || succeeded || state != State.HALF_OPEN) {
          probing = false;
          return;
        }
        probing = false;
        state = State.OPEN;
        openedAt = now;
      }
      changed(State.HALF_OPEN, State.OPEN, "the probe call failed");
    }

    private void changed(State from, State to, String why) {
      LOG.warn("webhook circuit origin={} from={} to={} reason=\"{}\"", origin, from.value(), to.value(), why);
      listener.changed(origin, from, to);
    }
  }
}
