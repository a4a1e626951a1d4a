package io.ringhook.sip;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JAIN-SIP RI's message logger, routed to SLF4J: every SIP message sent or received is logged
 * at TRACE on the {@code io.ringhook.sip.wire} logger (enable it to see the full SIP trace).
 */
public final class Slf4jServerLogger implements ServerLogger {
  static final Logger WIRE = LoggerFactory.getLogger("io.ringhook.sip.wire");

  @Override
  public void closeLogFile() {
    // Nothing is written to a file of our own.
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
    log(message, from, to, sender);
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
    log(message, from, to, sender);
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
    log(message, from, to, sender);
  }

  private static void log(SIPMessage message, String from, String to, boolean sender) {
    if (WIRE.isTraceEnabled()) {
      WIRE.trace("{} {} -> {}\n{}", sender ? "sent" : "received", from, to, message.encode());
    }
  }

  @Override
  public void logException(Exception ex) {
    WIRE.debug("JAIN-SIP message exception", ex);
  }

  @Override
  public void setStackProperties(Properties stackProperties) {
    // Nothing to configure.
  }

  @Override
  public void setSipStack(SipStack sipStack) {
    // Not needed.
  }
}
