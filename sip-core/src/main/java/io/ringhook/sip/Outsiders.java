package io.ringhook.sip;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.sip.SipProvider;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The answer to requests from sources outside every trunk: one stateless 403, sent without a
 * server transaction so that nothing is retransmitted (one datagram back per request, smaller
 * than the request), an ACK nothing at all; counted, and logged at most once per 10 s.
 *
 * <p>A 403 rather than a silent drop: a carrier whose new signalling address is missing from the
 * trunk list learns why at once, the record of the INVITE keeps a true final status, and the
 * answer gives a spoofed-source reflection nothing to amplify.
 */
final class Outsiders {
  private static final Logger LOG = LoggerFactory.getLogger(Outsiders.class);

  private final Responder responder;
  private final LongAdder refused = new LongAdder();
  private final RateLimitedLog log;

  Outsiders(Responder responder, LongSupplier nanoTime) {
    this.responder = responder;
    this.log = new RateLimitedLog(LOG, Level.WARN, Duration.ofSeconds(10), nanoTime);
  }

  /** Refuses {@code request} from {@code source}, statelessly. */
  void refuse(SipProvider provider, Request request, InetSocketAddress source) {
    refused.increment();
    String method = request.getMethod();
    log.log("{} from {} matches no trunk: {}", method, source, Request.ACK.equals(method) ? "ignored" : "403");
    if (!Request.ACK.equals(method)) {
      responder.sendStateless(provider, responder.create(request, Response.FORBIDDEN, null));
    }
  }

  /** Requests refused since start. */
  long refused() {
    return refused.sum();
  }
}
