package io.ringhook.webhook;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/** Turns what went wrong on the wire into a {@link FailureReason} and a one-line detail. */
final class Failures {

  /** A classified failure. */
  record Classified(FailureReason reason, String detail) {}

  private Failures() {}

  /**
   * Classifies an exception by the first cause in its chain that names a known class of trouble.
   *
   * @param fallback the reason when none does (IO in general, TLS during the handshake)
   */
  static Classified classify(Throwable t, FailureReason fallback) {
    boolean codec = false;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof UnknownHostException) {
        return new Classified(FailureReason.DNS, "cannot resolve host: " + message(c));
      }
      if (c instanceof ConnectTimeoutException) {
        return new Classified(FailureReason.TIMEOUT, "connect timed out: " + message(c));
      }
      if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
        return new Classified(FailureReason.REFUSED, message(c));
      }
      if (c instanceof SSLException || c instanceof CertificateException) {
        return new Classified(FailureReason.TLS, message(c));
      }
      if (c instanceof TooLongFrameException) {
        return new Classified(FailureReason.TOO_LARGE, "response head too large: " + message(c));
      }
      if (c instanceof PrematureChannelClosureException) {
        return new Classified(FailureReason.IO, "connection closed before the response was complete");
      }
      codec |= c instanceof CodecException;
    }
    if (codec) {
      return new Classified(FailureReason.PROTOCOL, "malformed HTTP response: " + message(t));
    }
    return new Classified(fallback, message(t));
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    String text = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    // Exception messages can carry remote text; keep the log line one line.
    return text.replaceAll("[\\r\\n\\t]+", " ").strip();
  }
}
