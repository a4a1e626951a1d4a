package io.ringhook.server;

import io.ringhook.media.RtpTotals;
import io.ringhook.media.agent.AgentMediaBridge;
import io.ringhook.media.agent.AgentMediaBridge.AgentTarget;
import io.ringhook.server.records.CallRecord;
import io.ringhook.server.records.RecordWriter;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.SipServer;
import io.ringhook.webhook.WebhookResult;
import java.time.Duration;

/** Wires the running parts into {@link RingMetrics}: what each part reports, and what is read at scrape time. */
final class ServerMetrics {
  // PENDING: the metrics package (being written) replaces these no-ops.
  private final Object metrics = null;

  void callEnded(CallRecord record) {
  }

  void webhookAttempt(WebhookResult.Attempt attempt) {
  }

  /** The agent bridge's listener: connect latency into the metrics, the agent's name into the call's record. */
  AgentMediaBridge.Listener agentListener(CallRecorder recorder) {
    return new AgentMediaBridge.Listener() {
      @Override
      public void agentConnected(InboundCall call, AgentTarget target, Duration latency) {
        recorder.agentConnected(call, target, latency);
          }

      @Override
      public void agentFailed(InboundCall call, AgentTarget target, Duration latency, String kind) {
        recorder.agentFailed(call, target, latency, kind);
        if (!AgentMediaBridge.CANCELLED.equals(kind)) {
              }
      }
    };
  }

  /** Gauges and counters read at scrape time. */
  void bind(SipServer sip, RtpTotals rtp, RecordWriter writer) {
  }

  String scrape() {
    return "";
  }
}
