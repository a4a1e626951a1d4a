package io.ringhook.server.peers;

import gov.nist.core.LogLevels;
import gov.nist.core.StackLogger;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JAIN-SIP RI stack logger of the test peers: SLF4J instead of log4j 1.x (which the build
 * excludes), quiet unless asked.
 *
 * <p>Named in {@code gov.nist.javax.sip.STACK_LOGGER}. Without that property the RI loads
 * {@code gov.nist.core.LogWriter}, which needs log4j. Beware: the RI keeps ONE stack logger per
 * JVM ({@code CommonLogger.legacyLogger}, static), the one of the stack created last; so all
 * stacks in a test JVM share whichever logger was named last. Warnings and errors always go to
 * SLF4J logger {@code siptest.jain}; info and debug chatter (and the TLS start-up warnings)
 * only with {@code -Dringhook.sipDebug=true}, whatever the SLF4J backend's level.
 * Level {@value LogLevels#TRACE_INFO} is also the RI's gate for message tracing
 * ({@code ServerLogger.TRACE_MESSAGES}), so it is open while any stack asked for a SIP trace.
 */
public final class TestStackLogger implements StackLogger {
  private static final Logger LOG = LoggerFactory.getLogger("siptest.jain");
  private static final Pattern TLS_CHATTER = Pattern.compile("(?i)tls|keystore|truststore");

  @Override
  public boolean isLoggingEnabled(int level) {
    if (level <= LogLevels.TRACE_WARN) {
      return true;
    }
    if (level <= LogLevels.TRACE_INFO && TestWireLogger.anyTracing()) {
      return true;
    }
    return debug();
  }

  @Override
  public boolean isLoggingEnabled() {
    return debug();
  }

  private static boolean debug() {
    return Boolean.getBoolean("ringhook.sipDebug");
  }

  @Override
  public void logDebug(String message) {
    if (debug()) {
      LOG.debug(message);
    }
  }

  @Override
  public void logDebug(String message, Exception ex) {
    if (debug()) {
      LOG.debug(message, ex);
    }
  }

  @Override
  public void logTrace(String message) {
    if (debug()) {
      LOG.trace(message);
    }
  }

  @Override
  public void logInfo(String message) {
    if (debug()) {
      LOG.info(message);
    }
  }

  @Override
  public void logWarning(String message) {
    // Every stack warns at start-up that TLS runs on JVM defaults; tests use no TLS.
    if (message != null && TLS_CHATTER.matcher(message).find()) {
      logDebug(message);
    } else {
      LOG.warn(message);
    }
  }

  @Override
  public void logError(String message) {
    LOG.error(message);
  }

  @Override
  public void logError(String message, Exception ex) {
    LOG.error(message, ex);
  }

  @Override
  public void logFatalError(String message) {
    LOG.error(message);
  }

  @Override
  public void logException(Throwable ex) {
    LOG.warn("JAIN-SIP exception", ex);
  }

  @Override
  public void logStackTrace() {
    if (LOG.isTraceEnabled()) {
      LOG.trace("stack trace", new Throwable("stack trace"));
    }
  }

  @Override
  public void logStackTrace(int traceLevel) {
    logStackTrace();
  }

  @Override
  public int getLineCount() {
    return 0;
  }

  @Override
  public void disableLogging() {
    // Levels belong to SLF4J's backend.
  }

  @Override
  public void enableLogging() {
    // Levels belong to SLF4J's backend.
  }

  @Override
  public void setBuildTimeStamp(String buildTimeStamp) {
    // Not interesting in tests.
  }

  @Override
  public void setStackProperties(Properties stackProperties) {
    // Nothing to configure.
  }

  @Override
  public String getLoggerName() {
    return LOG.getName();
  }
}
