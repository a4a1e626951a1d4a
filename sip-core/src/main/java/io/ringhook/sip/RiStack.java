package io.ringhook.sip;

import gov.nist.javax.sip.SipStackImpl;
import java.util.Properties;
import javax.sip.PeerUnavailableException;

/**
 * The RI's stack, made with {@code new} rather than {@code SipFactory.createSipStack} and without its
 * finalizer, so that a closed {@link SipServer}'s stack goes at the first collection that finds it
 * unreachable. The factory keeps every stack it makes in static lists for the life of the JVM, stopped
 * or not; {@code SipStackImpl.finalize()} only stops the stack, which {@link SipServer#close} does itself,
 * but a class with a finalizer makes every instance wait for the finalizer thread, and everything it
 * references (its dialogs and transactions, the listener with the server's whole call path) for the
 * collection after. Between them the start-up warm-up's two stacks kept 14,000 dialogs and the copies'
 * call path, about 150 MB of the heap, for the server's life (BENCHMARKS.md, issue 14, session 14).
 */
final class RiStack extends SipStackImpl {
  RiStack(Properties properties) throws PeerUnavailableException {
    super(properties);
  }

  /** Empty, so that the JVM does not register instances for finalization at all. */
  @Override
  @SuppressWarnings({"deprecation", "removal"})
  protected void finalize() {
    // SipServer.close stops the stack.
  }
}
