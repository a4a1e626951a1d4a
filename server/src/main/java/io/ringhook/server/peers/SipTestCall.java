package io.ringhook.server.peers;

import java.text.ParseException;
import java.time.Duration;
import java.util.Optional;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * One call placed by a {@link SipTestClient}: the INVITE as sent, its transaction and dialog,
 * and the requests a caller sends next (CANCEL, ACK, BYE, re-INVITE), each one explicit so a
 * test scripts the exact sequence.
 */
public final class SipTestCall {
  private static final Duration ACK_WAIT = Duration.ofSeconds(5);

  private final SipTestClient client;
  private final Request invite;
  private final ClientTransaction transaction;
  private final String callId;

  SipTestCall(SipTestClient client, Request invite, ClientTransaction transaction) {
    this.client = client;
    this.invite = invite;
    this.transaction = transaction;
    this.callId = ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId();
  }

  /** Returns the INVITE as sent (the transaction filled in the Via branch). */
  public Request invite() {
    return invite;
  }

  /** Returns the INVITE client transaction. */
  public ClientTransaction transaction() {
    return transaction;
  }

  /** Returns the dialog (early until a 2xx arrives). */
  public Dialog dialog() {
    return transaction.getDialog();
  }

  /** Returns the SIP Call-ID. */
  public String callId() {
    return callId;
  }

  /** Waits for the oldest not-yet-awaited response of this call to an INVITE with {@code status}. */
  public Response awaitResponse(int status, Duration timeout) {
    return awaitResponse(Request.INVITE, status, timeout);
  }

  /** Waits for the oldest not-yet-awaited response of this call to {@code method} with {@code status}. */
  public Response awaitResponse(String method, int status, Duration timeout) {
    return client.responseInbox().take(r -> matches(r, method, status), timeout,
        () -> status + " to " + method + " in call " + callId + " on " + client.describe());
  }

  /** Like {@link #awaitResponse(String, int, Duration)} but empty on timeout. */
  public Optional<Response> pollResponse(String method, int status, Duration timeout) {
    return SipTestClient.poll(client.responseInbox(), r -> matches(r, method, status), timeout);
  }

  private boolean matches(Response r, String method, int status) {
    return r.getStatusCode() == status && method.equals(SipTestClient.cseqMethod(r))
        && callId.equals(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId());
  }

  /**
   * Sends the INVITE again exactly as first sent (same Via branch, CSeq, Call-ID), bypassing
   * the transaction layer: what a carrier does when our 100 Trying was lost.
   */
  public void retransmit() {
    client.sendStateless((Request) invite.clone());
  }

  /** Sends a CANCEL for the INVITE (meaningful after a provisional response, RFC 3261 §9.1). */
  public ClientTransaction cancel() {
    try {
      return client.send(transaction.createCancel());
    } catch (SipException e) {
      throw new IllegalStateException("cannot CANCEL call " + callId + ": " + e.getMessage(), e);
    }
  }

  /** ACKs the newest 2xx to an INVITE of this call (waiting up to 5 s for it), without a body. */
  public void ack() {
    ack(null);
  }

  /**
   * ACKs the newest 2xx to an INVITE of this call, carrying {@code sdp} when not null (the
   * answer, when the INVITE had no offer).
   */
  public void ack(String sdp) {
    client.responseInbox().find(r -> r.getStatusCode() / 100 == 2 && Request.INVITE.equals(SipTestClient.cseqMethod(r))
        && callId.equals(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId()), ACK_WAIT,
        () -> "a 2xx to INVITE to ACK in call " + callId + " on " + client.describe());
    long cseq = client.responseInbox().all().stream()
        .filter(r -> r.getStatusCode() / 100 == 2 && Request.INVITE.equals(SipTestClient.cseqMethod(r))
            && callId.equals(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId()))
        .mapToLong(r -> ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber()).max().orElseThrow();
    try {
      Request ack = dialog().createAck(cseq);
      if (sdp != null) {
        ack.setContent(sdp, client.headerFactory().createContentTypeHeader("application", "sdp"));
      }
      dialog().sendAck(ack);
    } catch (SipException | InvalidArgumentException | ParseException e) {
      throw new IllegalStateException("cannot ACK call " + callId + ": " + e.getMessage(), e);
    }
  }

  /** Sends a BYE in the dialog. */
  public ClientTransaction bye() {
    return inDialog(Request.BYE, null);
  }

  /** Sends a re-INVITE in the dialog with {@code sdp} (e.g. {@code Sdp.audio(port, "sendonly", 0)} to hold), or none when null. */
  public ClientTransaction reinvite(String sdp) {
    return inDialog(Request.INVITE, sdp);
  }

  /** Sends {@code method} (e.g. INFO, UPDATE, MESSAGE) in the dialog with an optional SDP body. */
  public ClientTransaction inDialog(String method, String sdp) {
    return client.sendInDialog(dialog(), method, sdp);
  }

  @Override
  public String toString() {
    return "SipTestCall[" + callId + "]";
  }
}
