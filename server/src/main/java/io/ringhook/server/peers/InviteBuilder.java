package io.ringhook.server.peers;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sip.address.Address;
import javax.sip.header.FromHeader;
import javax.sip.message.Request;

/**
 * A builder of one INVITE from a {@link SipTestClient}. Defaults: From {@code sip:siptest@<client>}
 * with a tag, To = the Request-URI, and an SDP offer of PCMU, PCMA and telephone-event on port 9
 * (discard: set {@link #sdp} with an {@link RtpPeer}'s port when the test needs audio).
 */
public final class InviteBuilder {
  private final SipTestClient client;
  private final String requestUri;
  private String from;
  private String to;
  private String sdp = Sdp.audio(9, Sdp.G711_AND_DTMF);
  private final List<String[]> extraHeaders = new ArrayList<>();

  InviteBuilder(SipTestClient client, String requestUri) {
    this.client = client;
    this.requestUri = Objects.requireNonNull(requestUri, "requestUri");
  }

  /** Sets the From address, e.g. {@code sip:+12345678912@carrier.example} or {@code "Anonymous" <sip:anonymous@anonymous.invalid>}. */
  public InviteBuilder from(String address) {
    this.from = Objects.requireNonNull(address, "address");
    return this;
  }

  /** Sets the To address (default: the Request-URI). */
  public InviteBuilder to(String address) {
    this.to = Objects.requireNonNull(address, "address");
    return this;
  }

  /** Adds {@code P-Asserted-Identity: <uri>} (the caller identity carriers assert). */
  public InviteBuilder pai(String uri) {
    return header("P-Asserted-Identity", uri.startsWith("<") || uri.contains("\"") ? uri : "<" + uri + ">");
  }

  /** Adds a header as text, e.g. {@code ("Privacy", "id")}. */
  public InviteBuilder header(String name, String value) {
    extraHeaders.add(new String[] {Objects.requireNonNull(name), Objects.requireNonNull(value)});
    return this;
  }

  /** Sets the SDP offer (see {@link Sdp#audio}), or any body sent as application/sdp. */
  public InviteBuilder sdp(String body) {
    this.sdp = Objects.requireNonNull(body, "body");
    return this;
  }

  /** Sends no SDP: the other side offers in its 200 and the answer goes in the ACK. */
  public InviteBuilder noSdp() {
    this.sdp = null;
    return this;
  }

  /** Returns the INVITE, not sent (for tweaks before {@link SipTestClient#send}). */
  public Request build() {
    Request r = client.request(Request.INVITE, requestUri);
    try {
      var af = client.addressFactory();
      var hf = client.headerFactory();
      if (from != null) {
        FromHeader f = (FromHeader) r.getHeader(FromHeader.NAME);
        Address a = af.createAddress(from);
        r.setHeader(hf.createFromHeader(a, f.getTag()));
      }
      if (to != null) {
        r.setHeader(hf.createToHeader(af.createAddress(to), null));
      }
      for (String[] h : extraHeaders) {
        r.addHeader(hf.createHeader(h[0], h[1]));
      }
      if (sdp != null) {
        r.setContent(sdp, hf.createContentTypeHeader("application", "sdp"));
      }
      return r;
    } catch (ParseException e) {
      throw new IllegalArgumentException("cannot build INVITE to " + requestUri + ": " + e.getMessage(), e);
    }
  }

  /** Builds and sends the INVITE in a client transaction and returns the call. */
  public SipTestCall send() {
    Request invite = build();
    return new SipTestCall(client, invite, client.send(invite));
  }
}
