package io.ringhook.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ringhook.sip.InboundCall;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * A logback encoder that writes each event as one JSON object on one line, for log shippers.
 *
 * <p>Fields, in this order: {@code ts} (ISO-8601 UTC, milliseconds), {@code level}, {@code logger},
 * {@code thread}, {@code msg}, {@code call_id} (from the MDC, when set), the other MDC entries,
 * the key-value pairs of SLF4J's fluent API ({@code addKeyValue}), and {@code exception} (the
 * stack trace as one string) when there is one. A name already written is not written again, so
 * the fixed fields always win. Usable from a logback.xml as
 * {@code <encoder class="io.ringhook.server.logging.JsonLineEncoder"/>}.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

  /** The MDC key holding the call id. */
  public static final String CALL_ID = InboundCall.LOG_KEY;

  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    // Called concurrently by the appender (it locks only the write): one generator per event.
    try (JsonGenerator g = JSON.createGenerator(out)) {
      Set<String> written = new HashSet<>();
      g.writeStartObject();
      field(g, written, "ts", TS.format(Instant.ofEpochMilli(event.getTimeStamp())));
      field(g, written, "level", event.getLevel().toString());
      field(g, written, "logger", event.getLoggerName());
      field(g, written, "thread", event.getThreadName());
      field(g, written, "msg", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        String callId = mdc.get(CALL_ID);
        if (callId != null) {
          field(g, written, CALL_ID, callId);
        }
        for (Map.Entry<String, String> e : mdc.entrySet()) {
          field(g, written, e.getKey(), e.getValue());
        }
      }
      List<KeyValuePair> pairs = event.getKeyValuePairs();
      if (pairs != null) {
        for (KeyValuePair kv : pairs) {
          value(g, written, kv.key, kv.value);
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        field(g, written, "exception", ThrowableProxyUtil.asString(thrown));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static void field(JsonGenerator g, Set<String> written, String name, String value)
      throws IOException {
    if (name != null && written.add(name)) {
      g.writeStringField(name, value == null ? "" : value);
    }
  }

  /** Numbers and booleans keep their JSON type; anything else is written as its string. */
  private static void value(JsonGenerator g, Set<String> written, String name, Object value)
      throws IOException {
    if (name == null || !written.add(name)) {
      return;
    }
    g.writeFieldName(name);
    if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) {
        g.writeNumber(d);
      } else {
        g.writeString(Double.toString(d));
      }
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      g.writeString(String.valueOf(value));
    }
  }
}
