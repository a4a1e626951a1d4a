package io.ringhook.sip;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JAIN-SIP RI's stack logger, routed to SLF4J so that no log4j 1.x is needed or shipped.
 * Named in the {@code gov.nist.javax.sip.STACK_LOGGER} stack property; the RI instantiates it.
 * Its chatter goes to the {@code gov.nist} logger, whose level the operator sets as for any other.
 */
public final class Slf4jStackLogger implements StackLogger {
  private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");

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
  public void logException(Throwable ex) {
    LOG.warn("JAIN-SIP exception", ex);
  }

  @Override
  public void logDebug(String message) {
    LOG.debug(message);
  }

  @Override
  public void logDebug(String message, Exception ex) {
    LOG.debug(message, ex);
  }

  @Override
  public void logTrace(String message) {
    LOG.trace(message);
  }

  @Override
  public void logFatalError(String message) {
    LOG.error(message);
  }

  @Override
  public void logError(String message) {
    LOG.error(message);
  }

  @Override
  public boolean isLoggingEnabled() {
    return LOG.isInfoEnabled();
  }

  @Override
  public boolean isLoggingEnabled(int logLevel) {
    // The RI asks for level 16 both for info chatter and before handing a message to the
    // ServerLogger (TRACE_INFO == TRACE_MESSAGES): open it when the wire trace is wanted, so
    // io.ringhook.sip.wire at TRACE works even with gov.nist quiet. logInfo still obeys LOG's level.
    if (logLevel == TRACE_MESSAGES && Slf4jServerLogger.WIRE.isTraceEnabled()) {
      return true;
    }
    if (logLevel <= TRACE_ERROR) {
      return LOG.isErrorEnabled();
    } else if (logLevel <= TRACE_WARN) {
      return LOG.isWarnEnabled();
    } else if (logLevel <= TRACE_INFO) {
      return LOG.isInfoEnabled();
    } else if (logLevel <= TRACE_DEBUG) {
      return LOG.isDebugEnabled();
    }
    return LOG.isTraceEnabled();
  }

  @Override
  public void logError(String message, Exception ex) {
    if (ex instanceof GuardedTcpProcessor.RefusedConnection) {
      // The RI's accept loop reports the guard's refusal as an error; the guard has counted it.
      LOG.debug("{}: {}", message, ex.getMessage());
      return;
    }
    if (ex instanceof java.nio.channels.CancelledKeyException) {
      // The RI's selector thread meets a key its connection's close cancelled in between: routine
      // whenever a peer hangs up its TCP connection, so one stack trace per closed connection
      // would let any peer write our log for the price of a connect.
      LOG.debug("{}: connection already closed", message);
      return;
    }
    LOG.error(message, ex);
  }

  @Override
  public void logWarning(String message) {
    LOG.warn(message);
  }

  @Override
  public void logInfo(String message) {
    LOG.info(message);
  }

  @Override
  public void disableLogging() {
    // The level is SLF4J's to set.
  }

  @Override
  public void enableLogging() {
    // The level is SLF4J's to set.
  }

  @Override
  public void setBuildTimeStamp(String buildTimeStamp) {
    LOG.debug("JAIN-SIP build {}", buildTimeStamp);
  }

  @Override
  public void setStackProperties(Properties stackProperties) {
    // Nothing to configure: SLF4J's backend owns levels and output.
  }

  @Override
  public String getLoggerName() {
    return LOG.getName();
  }
}
