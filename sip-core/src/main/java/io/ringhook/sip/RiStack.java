package io.ringhook.sip;

import gov.nist.javax.sip.SipStackImpl;
import java.util.Properties;
import javax.sip.PeerUnavailableException;

/**
 * The RI's stack without its finalizer. {@code SipStackImpl.finalize()} only stops the stack, which
 * {@link SipServer#close} does itself; but a class with a finalizer makes every instance wait for the
 * finalizer thread, and everything it references (its dialogs and transactions, the listener with the
 * server's whole call path) for the collection after the one that found it unreachable. The start-up
 * warm-up's stacks then outlived it in the old generation (BENCHMARKS.md, issue 14, session 14).
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
