package io.ringhook.sip;

import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Optional;
import javax.sip.address.SipURI;
import javax.sip.message.Request;

/**
 * Chooses the address written into Contact and SDP for a call: the configured {@code advertise}
 * address; else the listen address when it is a concrete one; else the address the request was
 * received on, or the Request-URI's host when that is a literal IP (the address the carrier sent
 * to); else the host's first non-loopback address.
 */
final class LocalAddresses {
  private final Optional<String> fixed;
  private final String fallback;

  LocalAddresses(SipConfig config) {
    if (config.advertise().isPresent()) {
      fixed = config.advertise();
    } else if (!isWildcard(config.host())) {
      fixed = Optional.of(config.host());
    } else {
      fixed = Optional.empty();
    }
    fallback = primaryAddress();
  }

  String hostFor(Request request) {
    if (fixed.isPresent()) {
      return fixed.get();
    }
    if (request instanceof SIPRequest sr) {
      InetAddress localAddr = sr.getLocalAddress();
      if (localAddr != null && !localAddr.isAnyLocalAddress()) {
        return localAddr.getHostAddress();
      }
    }
    if (request.getRequestURI() instanceof SipURI uri && isIpLiteral(uri.getHost())) {
      return uri.getHost();
    }
    return fallback;
  }

  static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private static boolean isIpLiteral(String host) {
    return host != null && (host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":"));
  }

  private static String primaryAddress() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof java.net.Inet4Address && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
      return InetAddress.getLocalHost().getHostAddress();
    } catch (SocketException | UnknownHostException e) {
      return "127.0.0.1";
    }
  }
}
