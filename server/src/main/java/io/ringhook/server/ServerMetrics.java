package io.ringhook.server;

import io.ringhook.media.RtpTotals;
import io.ringhook.media.agent.AgentMediaBridge;
import io.ringhook.media.agent.AgentMediaBridge.AgentTarget;
import io.ringhook.server.metrics.RingMetrics;
import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.RecordWriter;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.SipServer;
import io.ringhook.webhook.WebhookResult;
import io.micrometer.core.instrument.FunctionCounter;
import java.time.Duration;
import java.util.function.LongSupplier;

/** Wires the running parts into {@link RingMetrics}: what each part reports, and what is read at scrape time. */
final class ServerMetrics implements AutoCloseable {
  private final RingMetrics metrics = new RingMetrics();

  void callEnded(CallRecord record) {
    metrics.callEnded(record);
  }

  void webhookAttempt(WebhookResult.Attempt attempt) {
    metrics.webhookAttempt(attempt);
  }

  /** The agent bridge's listener: connect latency into the metrics, the agent's name into the call's record. */
  AgentMediaBridge.Listener agentListener(CallRecorder recorder) {
    AgentMediaBridge.Listener timing = metrics.agentListener();
    return new AgentMediaBridge.Listener() {
      @Override
      public void agentConnected(InboundCall call, AgentTarget target, Duration latency) {
        recorder.agentConnected(call, target, latency);
        timing.agentConnected(call, target, latency);
      }

      @Override
      public void agentFailed(InboundCall call, AgentTarget target, Duration latency, String kind) {
        recorder.agentFailed(call, target, latency, kind);
        timing.agentFailed(call, target, latency, kind);
      }
    };
  }

  /** Gauges and counters read at scrape time. */
  void bind(SipServer sip, RtpTotals rtp, RecordWriter writer) {
    metrics.bindCalls(sip::activeCalls, sip::ringingCalls);
    metrics.bindRtp(rtp);
    metrics.bindRecords(writer::written, writer::dropped, writer::pending);
  }

  /** {@code ringhook_records_suppressed_total}: records of scanners' INVITEs not stored. */
  void bindSuppressed(LongSupplier suppressed) {
    FunctionCounter.builder("ringhook.records.suppressed", suppressed, LongSupplier::getAsLong)
        .description("Records of INVITEs refused by the trunk ACL not stored (over the per-second limit)")
        .register(metrics.registry());
  }

  String scrape() {
    return metrics.scrape();
  }

  @Override
  public void close() {
    metrics.close();
  }
}
