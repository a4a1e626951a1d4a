package io.ringhook.server.peers;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.SipStack;

/**
 * The JAIN-SIP RI message logger of the test peers: prints every SIP message a stack sends or
 * receives to stdout, but only for stacks created with {@link #TRACE_PROPERTY} {@code = true}
 * ({@link SipTestClient} with trace on). Named in {@code gov.nist.javax.sip.SERVER_LOGGER}; the
 * RI creates one per stack and hands it the stack's properties.
 */
public final class TestWireLogger implements ServerLogger {
  /** The stack property that switches the trace on for one stack. */
  public static final String TRACE_PROPERTY = "io.ringhook.test.SIP_TRACE";

  private static final Set<String> TRACING = ConcurrentHashMap.newKeySet();

  private volatile boolean trace;
  private volatile String stackName = "?";

  static boolean anyTracing() {
    return !TRACING.isEmpty();
  }

  /** Forgets the trace of stack {@code name} once it is stopped. */
  static void stopped(String name) {
    TRACING.remove(name);
  }

  @Override
  public void setStackProperties(Properties stackProperties) {
    stackName = stackProperties.getProperty("javax.sip.STACK_NAME", "?");
    trace = Boolean.parseBoolean(stackProperties.getProperty(TRACE_PROPERTY));
    if (trace) {
      TRACING.add(stackName);
    }
  }

  @Override
  public void closeLogFile() {
    // The RI calls this when the stack stops.
    trace = false;
    TRACING.remove(stackName);
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

  private void log(SIPMessage message, String from, String to, boolean sender) {
    if (trace) {
      System.out.println("[" + stackName + "] " + (sender ? "sent " : "received ") + from + " -> " + to + "\n"
          + message.encode().strip() + "\n");
    }
  }

  @Override
  public void logException(Exception ex) {
    if (trace) {
      System.out.println("[" + stackName + "] exception " + ex);
    }
  }

  @Override
  public void setSipStack(SipStack sipStack) {
    // The name comes with the properties.
  }
}
