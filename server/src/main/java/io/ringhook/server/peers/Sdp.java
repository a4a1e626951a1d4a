package io.ringhook.server.peers;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.message.Message;

/**
 * Minimal SDP for scripted SIP tests: builds audio offers/answers on 127.0.0.1 and reads back the
 * media address and payload types of the first audio stream. Deliberately not a parser of the
 * whole grammar: the server's own SDP code is what is under test.
 */
public final class Sdp {
  /** PCMU, PCMA and telephone-event, the usual G.711 offer. */
  public static final int[] G711_AND_DTMF = {0, 8, 101};
  private static final AtomicLong VERSIONS = new AtomicLong(System.currentTimeMillis() / 1000);

  private Sdp() {}

  /**
   * Returns an audio SDP on 127.0.0.1:{@code rtpPort} offering {@code payloadTypes} (0 = PCMU,
   * 8 = PCMA, 101 = telephone-event, others as given without rtpmap), sendrecv, ptime 20.
   */
  public static String audio(int rtpPort, int... payloadTypes) {
    return audio(rtpPort, "sendrecv", payloadTypes);
  }

  /** Like {@link #audio(int, int...)} with the direction attribute {@code direction} (e.g. sendonly for hold). */
  public static String audio(int rtpPort, String direction, int... payloadTypes) {
    return audio("127.0.0.1", rtpPort, direction, payloadTypes);
  }

  /** Like {@link #audio(int, String, int...)} with the media on {@code host} (an IPv4 address) instead of loopback. */
  public static String audio(String host, int rtpPort, String direction, int... payloadTypes) {
    if (payloadTypes.length == 0) {
      throw new IllegalArgumentException("an m-line needs at least one payload type");
    }
    StringBuilder m = new StringBuilder("m=audio " + rtpPort + " RTP/AVP");
    StringBuilder attrs = new StringBuilder();
    for (int pt : payloadTypes) {
      m.append(' ').append(pt);
      switch (pt) {
        case 0 -> attrs.append("a=rtpmap:0 PCMU/8000\r\n");
        case 8 -> attrs.append("a=rtpmap:8 PCMA/8000\r\n");
        case 101 -> attrs.append("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
        default -> { }
      }
    }
    long v = VERSIONS.incrementAndGet();
    return "v=0\r\n"
        + "o=siptest " + v + " " + v + " IN IP4 " + host + "\r\n"
        + "s=-\r\n"
        + "c=IN IP4 " + host + "\r\n"
        + "t=0 0\r\n"
        + m + "\r\n"
        + attrs
        + "a=ptime:20\r\n"
        + "a=" + direction + "\r\n";
  }

  /** Returns the body of {@code message} as text ("" when it has none). */
  public static String body(Message message) {
    byte[] raw = message.getRawContent();
    return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
  }

  /** Returns where the first audio stream of {@code sdp} wants RTP (media-level c= over session-level). */
  public static InetSocketAddress audioAddress(String sdp) {
    String sessionHost = null;
    String mediaHost = null;
    Integer port = null;
    boolean seenMedia = false;
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("m=")) {
        if (port != null) {
          break;
        }
        seenMedia = true;
        String[] f = line.substring(2).trim().split("\\s+");
        if (f[0].equals("audio")) {
          port = Integer.parseInt(f[1]);
        }
      } else if (line.startsWith("c=")) {
        String host = line.substring(2).trim().split("\\s+")[2].split("/")[0];
        if (!seenMedia) {
          sessionHost = host;
        } else if (port != null) {
          mediaHost = host;
        }
      }
    }
    String host = mediaHost != null ? mediaHost : sessionHost;
    if (host == null || port == null) {
      throw new IllegalArgumentException("no audio stream with an address in SDP:\n" + sdp);
    }
    return new InetSocketAddress(host, port);
  }

  /** Returns the payload types of the first audio m-line, in order. */
  public static List<Integer> audioPayloadTypes(String sdp) {
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("m=audio ")) {
        String[] f = line.substring(2).trim().split("\\s+");
        List<Integer> out = new ArrayList<>();
        for (int i = 3; i < f.length; i++) {
          out.add(Integer.parseInt(f[i]));
        }
        return out;
      }
    }
    throw new IllegalArgumentException("no audio m-line in SDP:\n" + sdp);
  }
}
