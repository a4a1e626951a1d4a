package io.ringhook.server;

import io.ringhook.media.EchoMediaBridge;
import io.ringhook.media.agent.AgentMediaBridge.AgentTarget;
import io.ringhook.media.agent.DemoAgent;
import io.ringhook.server.config.AgentSettings;
import io.ringhook.server.config.RingConfig;
import io.ringhook.sip.CallDecision;
import io.ringhook.sip.MediaBridge;
import java.net.URI;
import java.time.Duration;
import java.util.function.Function;

/**
 * Where the agent a call's decision names is ({@link WebhookDecider} names the dialed number's
 * {@code agent}, else {@code default_agent}); an unknown name, or none, reaches the built-in
 * {@code demo} agent. The built-in {@code demo} agent is ringhook's own WebSocket endpoint on its
 * HTTP port, reached over loopback like any other agent, so the zero-config server exercises the
 * whole path. The built-in {@code echo} has no WebSocket at all: {@link #bridge} sends its calls to
 * the {@link EchoMediaBridge} instead.
 */
final class AgentDirectory implements Function<CallDecision.Connect, AgentTarget> {
  static final Duration DEMO_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  private final RingConfig config;
  private final AgentTarget demo;
  private final String authority;

  AgentDirectory(RingConfig config, int httpPort) {
    this.config = config;
    String host = config.http().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    this.authority = host + ":" + httpPort;
    this.demo = new AgentTarget(RingConfig.DEMO_AGENT, URI.create("ws://" + authority + DemoAgent.PATH),
        DEMO_CONNECT_TIMEOUT);
  }

  /** {@code path} on the server's own HTTP port, where the demo agent is: its address as the demo agent's. */
  URI ownHttp(String path) {
    return URI.create("http://" + authority + path);
  }

  /**
   * The media bridge for every call: {@code echo} for calls to the built-in echo, {@code agents}
   * (which asks this directory where the agent is) for the rest.
   */
  MediaBridge bridge(MediaBridge echo, MediaBridge agents) {
    return (call, decision) -> RingConfig.ECHO_AGENT.equals(name(decision))
        ? echo.open(call, decision) : agents.open(call, decision);
  }

  @Override
  public AgentTarget apply(CallDecision.Connect decision) {
    AgentSettings agent = config.agents().get(name(decision));
    if (agent == null) {
      return demo;
    }
    return new AgentTarget(agent.name(), agent.url(), agent.connectTimeout());
  }

  private String name(CallDecision.Connect decision) {
    return decision.agent().orElse(config.defaultAgent());
  }
}
