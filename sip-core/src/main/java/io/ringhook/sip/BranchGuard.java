package io.ringhook.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.text.ParseException;
import javax.sip.SipStack;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's first look at each request: one that reuses the branch of a transaction begun from
 * another sent-by is refused before the RI can take it for that transaction's retransmission.
 *
 * <p>RFC 3261 17.2.3 matches a request to a server transaction on the top Via's branch and sent-by
 * (and method) together. RI 1.3.0-91 checks sent-by when it matches a CANCEL (a stranger's CANCEL
 * gets 481) but, when sent-by differs, then looks in its pending INVITE transactions by branch
 * alone: a stranger's INVITE on a ringing call's branch is handed to that call's transaction as a
 * retransmission, never answered, and the listener never sees it. By 17.2.3 such a request is a
 * new one, but the RI keys transactions by branch and cannot hold two under one (it maps the first
 * only, and removes by branch: the second one's end would unmap the first). The sender broke
 * 8.1.1.7 (a branch is unique), so it gets a 400 on the socket or connection it came in on, and no
 * transaction; an ACK (never answered) is dropped.
 *
 * <p>Public with a public constructor only because the RI instantiates it by name
 * ({@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}).
 */
public final class BranchGuard implements SIPMessageValve {
  private static final Logger LOG = LoggerFactory.getLogger(BranchGuard.class);
  private volatile SIPTransactionStack stack;

  /** Called by the RI. */
  public BranchGuard() {
  }

  @Override
  public void init(SipStack sipStack) {
    stack = (SIPTransactionStack) sipStack;
  }

  @Override
  public boolean processRequest(SIPRequest request, MessageChannel channel) {
    SIPTransactionStack s = stack;
    String branch = request.getTopmostVia() == null ? null : request.getTopmostVia().getBranch();
    // 17.2.3's rule is for RFC 3261 branches; older requests are matched by the RI's own scan.
    if (s == null || branch == null || !branch.regionMatches(true, 0, "z9hG4bK", 0, 7)
        || !heldByAnother(s, request)) {
      return true;
    }
    LOG.debug("{} from {} reuses a branch of another sent-by's transaction", request.getMethod(),
        request.getRemoteAddress());
    if (!Request.ACK.equals(request.getMethod())) {
      try {
        SIPResponse refusal = request.createResponse(Response.BAD_REQUEST);
        refusal.getTo().setTag(Responder.newTag());
        channel.sendMessage(refusal);
      } catch (IOException | ParseException | RuntimeException e) {
        LOG.debug("could not refuse a reused branch: {}", e.toString());
      }
    }
    return false;
  }

  /** Whether the transaction under {@code request}'s branch (mapped, or pending its answer) began elsewhere. */
  private static boolean heldByAnother(SIPTransactionStack s, SIPRequest request) {
    SIPTransaction held = s.findTransaction(request, true);
    if (held == null) {
      held = s.findPendingTransaction(request.getTransactionId());
    }
    SIPRequest first = held == null ? null : held.getOriginalRequest();
    return first != null && first.getTopmostVia() != null
        && !first.getTopmostVia().getSentBy().equals(request.getTopmostVia().getSentBy());
  }

  @Override
  public boolean processResponse(Response response, MessageChannel channel) {
    return true;
  }

  @Override
  public void destroy() {
  }
}
