package io.ringhook.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which addresses a webhook may reach. Link-local networks (169.254.0.0/16, fe80::/10) and the
 * cloud metadata endpoints are never allowed: a webhook URL set by a customer must not read the
 * host's instance credentials. Loopback and private networks (a CRM on the company network) are
 * allowed unless {@code allowPrivate} is off.
 *
 * <p>Checked twice: on the URL when it is configured (an IP literal or a well-known metadata name),
 * and on the resolved address when the client connects, since any name can resolve there.
 */
public final class WebhookTargets {
  /** Every address but link-local and metadata ones: ringhook's default. */
  public static final WebhookTargets DEFAULT = new WebhookTargets(true);

  /** Names the clouds give their metadata service. */
  private static final Set<String> METADATA_NAMES =
      Set.of("metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal");
  /** Metadata addresses outside link-local: AWS's IPv6 endpoint and Alibaba Cloud's. */
  private static final Set<String> METADATA_ADDRESSES = Set.of("fd00:ec2:0:0:0:0:0:254", "100.100.100.200");

  private final boolean allowPrivate;

  private WebhookTargets(boolean allowPrivate) {
    this.allowPrivate = allowPrivate;
  }

  /** The targets with loopback and private networks allowed ({@code webhook.allow_private}) or not. */
  public static WebhookTargets allowPrivate(boolean allowPrivate) {
    return allowPrivate ? DEFAULT : new WebhookTargets(false);
  }

  /** Whether loopback and private networks may be reached. */
  public boolean privateAllowed() {
    return allowPrivate;
  }

  /** Why a connection to {@code address} is refused; empty when it is allowed. */
  public Optional<String> refusal(InetAddress address) {
    if (METADATA_ADDRESSES.contains(address.getHostAddress().toLowerCase(Locale.ROOT))) {
      return Optional.of(address.getHostAddress() + " is a cloud metadata endpoint");
    }
    if (address.isLinkLocalAddress()) {
      return Optional.of(address.getHostAddress() + " is link-local (where the cloud metadata endpoints live)");
    }
    if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
      return Optional.of(address.getHostAddress() + " is not a host address");
    }
    if (!allowPrivate && (address.isLoopbackAddress() || address.isSiteLocalAddress() || uniqueLocal(address)
        || sharedAddressSpace(address))) {
      return Optional.of(address.getHostAddress() + " is a loopback or private address (webhook.allow_private: false)");
    }
    return Optional.empty();
  }

  /**
   * Why a webhook {@code url} is refused before any lookup: its host is a refused IP literal or a
   * metadata service name. A name that only resolves to such an address is caught at connect time.
   */
  public Optional<String> urlRefusal(URI url) {
    String host = url.getHost();
    if (host == null) {
      return Optional.empty();
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (METADATA_NAMES.contains(h)) {
      return Optional.of("must not point at the cloud metadata service (" + host + ")");
    }
    if (h.startsWith("[") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      try {
        // A literal: getByName parses it without any lookup.
        InetAddress a = InetAddress.getByName(h.startsWith("[") ? h.substring(1, h.length() - 1) : h);
        return refusal(a).map(r -> "must not point at " + r);
      } catch (UnknownHostException e) {
        return Optional.empty(); // not a literal after all: the URL check reports it
      }
    }
    return Optional.empty();
  }

  private static boolean uniqueLocal(InetAddress a) {
    return a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc; // fc00::/7
  }

  private static boolean sharedAddressSpace(InetAddress a) {
    byte[] b = a.getAddress();
    return a instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // 100.64.0.0/10
  }
}
