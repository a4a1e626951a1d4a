package io.ringhook.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPServerTransactionImpl;
import gov.nist.javax.sip.stack.SIPTransactionStack;
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
 *
 * <p>Its server transactions also keep a completed non-INVITE transaction (every call's BYE) for
 * {@link #COMPLETED_NON_INVITE_MS} instead of RFC 3261's Timer J, 64*T1 = 32 s over UDP.
 */
final class RiStack extends SipStackImpl {
  /**
   * How long a non-INVITE server transaction (a BYE's, an OPTIONS') stays completed over UDP, answering
   * retransmissions of its request with its response, before it goes: 5 s, as Kamailio's and OpenSIPS's
   * {@code tm} keep one ({@code wt_timer}), not Timer J's 32 s. Each keeps its request's and response's
   * bytes and a few dozen other objects, 2-3 KB in a heap dump: at 1,200 calls a second 32 s of BYEs are
   * about 100 MB that young collections copy until they are old. A caller whose 200 to its BYE was lost
   * retransmits it 0.5, 1.5 and 3.5 s later (Timer E) and gets the same 200; one that lost every answer for
   * 5 s gets 481 instead, and ends the call all the same (RFC 3261 15.1.1).
   */
  static final int COMPLETED_NON_INVITE_MS = 5000;

  RiStack(Properties properties) throws PeerUnavailableException {
    super(properties);
  }

  /** As the RI's, but a {@link ShortCompleted} transaction (the RI's own when its table is bounded). */
  @Override
  public SIPServerTransaction createServerTransaction(MessageChannel channel) {
    if (!unlimitedServerTransactionTableSize) {
      return super.createServerTransaction(channel);
    }
    return new ShortCompleted(this, channel);
  }

  /** Empty, so that the JVM does not register instances for finalization at all. */
  @Override
  @SuppressWarnings({"deprecation", "removal"})
  protected void finalize() {
    // SipServer.close stops the stack.
  }

  /** The RI's server transaction, completed for {@link #COMPLETED_NON_INVITE_MS} at most. */
  static final class ShortCompleted extends SIPServerTransactionImpl {
    ShortCompleted(SIPTransactionStack stack, MessageChannel channel) {
      super(stack, channel);
    }

    /** {@code time} is in T1s (the RI's TIMER_J is 64); 0 ends the transaction now (reliable transports). */
    @Override
    protected void startTransactionTimerJ(long time) {
      super.startTransactionTimerJ(Math.min(time, COMPLETED_NON_INVITE_MS / ((long) T1 * baseTimerInterval)));
    }
  }
}
