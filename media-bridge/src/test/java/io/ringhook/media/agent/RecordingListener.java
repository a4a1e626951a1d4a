package io.ringhook.media.agent;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An {@link AgentListener} that records each call as a line ("media:&lt;base64&gt;", "mark:name",
 * "clear", "closed:reason") and notes any call made off the group's event loops.
 */
final class RecordingListener implements AgentListener {
  final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final EventLoopGroup group;
  volatile String offLoop;

  RecordingListener(EventLoopGroup group) {
    this.group = group;
  }

  @Override
  public void onMedia(byte[] mulaw) {
    record("media:" + Base64.getEncoder().encodeToString(mulaw));
  }

  @Override
  public void onMark(String name) {
    record("mark:" + name);
  }

  @Override
  public void onClear() {
    record("clear");
  }

  @Override
  public void onClosed(String reason) {
    record("closed:" + reason);
  }

  private void record(String event) {
    boolean onLoop = false;
    for (EventExecutor e : group) {
      onLoop |= e.inEventLoop();
    }
    if (!onLoop) {
      offLoop = event;
    }
    events.add(event);
  }

  String take() throws InterruptedException {
    String s = events.poll(TestAgentServer.WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(s, "the listener heard nothing");
    return s;
  }

  void assertNothingMore(long millis) throws InterruptedException {
    assertNull(events.poll(millis, TimeUnit.MILLISECONDS), "unexpected listener call");
  }
}
