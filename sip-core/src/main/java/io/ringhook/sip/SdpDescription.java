package io.ringhook.sip;

import io.ringhook.sip.MediaParams.Direction;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed SDP session description (RFC 4566): the parts that offer/answer for audio needs.
 *
 * <p>Attributes and line types this project has no use for are skipped, not kept.
 *
 * @param origin     the o= line, when present and well formed
 * @param connection the session-level c= line
 * @param direction  the session-level direction attribute, which media without their own inherit
 * @param media      the m= sections in order
 */
public record SdpDescription(Optional<Origin> origin, Optional<Connection> connection,
                             Optional<Direction> direction, List<Media> media) {
  public SdpDescription {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(direction, "direction");
    media = List.copyOf(media);
  }

  /**
   * Parses an SDP body; line ends may be CRLF or LF, unknown lines and attributes are ignored.
   *
   * @throws SdpException (warn-code 399) when the text is not SDP or a line we need (c=, m=) is malformed
   */
  public static SdpDescription parse(String text) throws SdpException {
    return SdpParser.parse(text);
  }

  /**
   * The o= line (RFC 4566 section 5.2); a changed version in a re-INVITE means a changed description.
   */
  public record Origin(String username, String sessionId, String sessionVersion, String addrType,
                       String address) {
  }

  /**
   * A c= line (RFC 4566 section 5.7) with any multicast TTL or count removed from the address.
   *
   * @param netType  {@code IN} for the Internet
   * @param addrType {@code IP4} or {@code IP6}
   * @param address  an address literal or a host name
   */
  public record Connection(String netType, String addrType, String address) {
    public Connection {
      Objects.requireNonNull(netType, "netType");
      Objects.requireNonNull(addrType, "addrType");
      Objects.requireNonNull(address, "address");
    }

    /**
     * True for the old way to put a stream on hold (RFC 2543, RFC 3264 section 8.4): a connection
     * address of {@code 0.0.0.0}, or the IPv6 equivalent {@code ::} that some stacks send.
     */
    public boolean isHold() {
      return address.equals("0.0.0.0") || address.equals("::");
    }

    /** True when this is an Internet IPv4 or IPv6 address we can send RTP to. */
    public boolean isInternet() {
      return netType.equalsIgnoreCase("IN")
          && (addrType.equalsIgnoreCase("IP4") || addrType.equalsIgnoreCase("IP6"));
    }
  }

  /**
   * An a=rtpmap attribute (RFC 4566 section 6): what a payload type number stands for.
   *
   * @param encoding   the encoding name as sent, e.g. {@code PCMU} or {@code telephone-event}
   * @param clockRate  the RTP clock rate in Hz
   * @param parameters the encoding parameters (channels for audio), when present
   */
  public record RtpMap(String encoding, int clockRate, Optional<String> parameters) {
    public RtpMap {
      Objects.requireNonNull(encoding, "encoding");
      Objects.requireNonNull(parameters, "parameters");
    }

    /** True when this names the given encoding (case-insensitive, as RFC 4855 says) at this clock rate. */
    public boolean is(String name, int rate) {
      return encoding.equalsIgnoreCase(name) && clockRate == rate;
    }

    @Override
    public String toString() {
      return encoding + "/" + clockRate + parameters.map(p -> "/" + p).orElse("");
    }
  }

  /**
   * One m= section (RFC 4566 section 5.14) with the attributes negotiation reads.
   *
   * @param type       the media type as sent: {@code audio}, {@code video}, {@code application}, ...
   * @param port       the transport port; 0 means the stream is rejected or disabled
   * @param proto      the transport protocol as sent, e.g. {@code RTP/AVP}
   * @param formats    the format list (payload type numbers for RTP) in the sender's order of preference
   * @param connection the media-level c= line, which overrides the session's
   * @param rtpMaps    the a=rtpmap attributes by payload type number
   * @param fmtps      the a=fmtp attribute values by payload type number
   * @param direction  the media-level direction attribute
   * @param ptime      the a=ptime value in milliseconds
   */
  public record Media(String type, int port, String proto, List<String> formats, Optional<Connection> connection,
                      Map<String, RtpMap> rtpMaps, Map<String, String> fmtps, Optional<Direction> direction,
                      OptionalInt ptime) {
    public Media {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(proto, "proto");
      formats = List.copyOf(formats);
      Objects.requireNonNull(connection, "connection");
      rtpMaps = Map.copyOf(rtpMaps);
      fmtps = Map.copyOf(fmtps);
      Objects.requireNonNull(direction, "direction");
      Objects.requireNonNull(ptime, "ptime");
    }

    /** True for an audio stream over plain RTP/AVP that the sender did not disable with port 0. */
    public boolean isActiveRtpAudio() {
      return type.equalsIgnoreCase("audio") && port != 0 && proto.toUpperCase(Locale.ROOT).equals("RTP/AVP");
    }

    /** What a format stands for: its rtpmap, else the static assignment of RFC 3551 for 0 and 8. */
    public Optional<RtpMap> rtpMap(String format) {
      RtpMap map = rtpMaps.get(format);
      if (map == null && format.equals("0")) {
        map = new RtpMap("PCMU", 8000, Optional.empty());
      } else if (map == null && format.equals("8")) {
        map = new RtpMap("PCMA", 8000, Optional.empty());
      }
      return Optional.ofNullable(map);
    }
  }
}
