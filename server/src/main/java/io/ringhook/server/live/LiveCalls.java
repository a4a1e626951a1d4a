package io.ringhook.server.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringhook.server.http.EventSink;
import io.ringhook.server.http.EventStream;
import io.ringhook.sip.CallDecider;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.InboundCall;
import io.ringhook.sip.MediaBridge;
import io.ringhook.sip.MediaSession;
import io.ringhook.webhook.WebhookResult;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The calls ringing and connected right now, and the stream of their changes for the console's Live
 * calls page ({@code GET /v1/live-calls}, {@code GET /v1/live-calls/stream}).
 *
 * <p>Fed by wrapping the decider (ringing, then connecting to the decision's agent) and the media
 * bridge (connected), by each webhook attempt as it ends, and by the end of the call. Every method is
 * cheap and never blocks (JAIN-SIP, call and Netty threads call it): a change updates the map and is
 * queued to each subscriber's connection. One lock orders changes against new subscribers, so a
 * subscriber's snapshot and the updates after it never cross.
 */
public final class LiveCalls {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Map<String, LiveCall> calls = new LinkedHashMap<>(); // guarded by this
  private final List<EventSink> subscribers = new CopyOnWriteArrayList<>();

  public LiveCalls(Clock clock) {
    this.clock = clock;
  }

  /**
   * {@code decider} with each call it is asked about shown as ringing, then as connecting (to the
   * decision's agent) once it says so.
   */
  public CallDecider watch(CallDecider decider, Predicate<InboundCall> hasWebhook) {
    return (call, hungUp) -> {
      ringing(call, hasWebhook.test(call));
      CompletableFuture<CallDecision> decision = decider.decide(call, hungUp);
      decision.thenAccept(d -> {
        if (d instanceof CallDecision.Connect connect) {
          change(call.callId(), c -> {
            LiveCall next = c.in(LiveCall.State.CONNECTING, clock.instant());
            return connect.agent().map(next::withAgent).orElse(next);
          });
        }
      });
      return decision;
    };
  }

  /** {@code bridge} with each call whose media opened shown as connected (it is answered right after). */
  public MediaBridge watch(MediaBridge bridge) {
    return (call, decision) -> {
      CompletableFuture<MediaSession> open = bridge.open(call, decision);
      open.thenAccept(s -> change(call.callId(), c -> c.in(LiveCall.State.CONNECTED, clock.instant())));
      return open;
    };
  }

  /** One of {@code call}'s webhook attempts ended. */
  public void attemptEnded(InboundCall call, WebhookResult.Attempt attempt) {
    change(call.callId(), c -> c.attemptEnded(attempt.describe()));
  }

  /** The call ended (or was refused): it leaves the list. */
  public void ended(String callId) {
    synchronized (this) {
      if (calls.remove(callId) == null) {
        return;
      }
      publish("ended", () -> JSON.createObjectNode().put("call_id", callId));
    }
  }

  /** The calls now, oldest first. */
  public synchronized List<LiveCall> now() {
    return calls.values().stream().sorted(Comparator.comparing(LiveCall::received)).toList();
  }

  /** {@code {"server_time": ..., "calls": [...]}}: what {@code GET /v1/live-calls} returns. */
  public synchronized String snapshotJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("server_time", clock.instant().toString());
    ArrayNode a = o.putArray("calls");
    now().forEach(c -> a.add(json(c)));
    return text(o);
  }

  /**
   * The event stream: a {@code snapshot} event (as {@link #snapshotJson()}), then an {@code update}
   * event with the whole call each time one appears or changes and an {@code ended} event with its
   * {@code call_id} when it goes.
   */
  public EventStream stream() {
    return sink -> {
      synchronized (this) {
        sink.send("snapshot", snapshotJson());
        subscribers.add(sink);
      }
      return () -> subscribers.remove(sink);
    };
  }

  /** Subscribers connected now. */
  public int subscribers() {
    return subscribers.size();
  }

  private void ringing(InboundCall call, boolean webhook) {
    var now = clock.instant();
    LiveCall c = new LiveCall(call.callId(), call.fromNumber(), call.toNumber(), call.trunk(), now,
        LiveCall.State.RINGING, now, webhook, 0, Optional.empty(), Optional.empty());
    synchronized (this) {
      calls.put(call.callId(), c);
      publish("update", () -> json(c));
    }
  }

  private void change(String callId, UnaryOperator<LiveCall> how) {
    synchronized (this) {
      LiveCall c = calls.computeIfPresent(callId, (id, old) -> how.apply(old));
      if (c != null) {
        publish("update", () -> json(c));
      }
    }
  }

  /** {@code data} is built only when someone listens: most of the time nobody does. */
  private void publish(String event, Supplier<ObjectNode> data) {
    if (subscribers.isEmpty()) {
      return;
    }
    ObjectNode o = data.get();
    o.put("server_time", clock.instant().toString());
    String text = text(o);
    for (EventSink s : subscribers) {
      if (!s.send(event, text)) {
        subscribers.remove(s);
      }
    }
  }

  static ObjectNode json(LiveCall c) {
    ObjectNode o = JSON.createObjectNode();
    o.put("call_id", c.callId());
    o.put("from_number", c.from());
    o.put("to_number", c.to());
    o.put("trunk", c.trunk());
    o.put("received", c.received().toString());
    o.put("state", c.state().json());
    o.put("since", c.since().toString());
    o.put("webhook", c.webhook());
    o.put("webhook_attempt_in_flight", c.attemptInFlight());
    o.put("webhook_attempts_done", c.attemptsDone());
    c.lastAttempt().ifPresentOrElse(l -> o.put("last_attempt", l), () -> o.putNull("last_attempt"));
    c.agent().ifPresentOrElse(a -> o.put("agent", a), () -> o.putNull("agent"));
    return o;
  }

  private static String text(ObjectNode o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always serialises", e);
    }
  }
}
