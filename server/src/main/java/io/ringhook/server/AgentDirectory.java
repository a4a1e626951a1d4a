package io.ringhook.server;

import io.ringhook.server.admin.EffectiveNumber;
import io.ringhook.server.admin.NumberDirectory;
import io.ringhook.media.agent.AgentMediaBridge.AgentTarget;
import io.ringhook.media.agent.DemoAgent;
import io.ringhook.server.config.AgentSettings;
import io.ringhook.server.config.RingConfig;
import io.ringhook.sip.InboundCall;
import java.net.URI;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Which agent takes a call: the dialed number's {@code agent} (set through the admin API or in the
 * file), else {@code default_agent}. The
 * built-in {@code demo} agent is ringhook's own WebSocket endpoint on its HTTP port, reached over
 * loopback like any other agent, so the zero-config server exercises the whole path.
 */
final class AgentDirectory implements Function<InboundCall, AgentTarget> {
  static final Duration DEMO_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  private final RingConfig config;
  private final NumberDirectory numbers;
  private final BiConsumer<InboundCall, String> chosen;
  private final AgentTarget demo;

  /** @param chosen told of each call's agent as it is picked (for the call's record); must not block */
  AgentDirectory(RingConfig config, NumberDirectory numbers, int httpPort, BiConsumer<InboundCall, String> chosen) {
    this.config = config;
    this.numbers = numbers;
    this.chosen = chosen;
    String host = config.http().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    this.demo = new AgentTarget(RingConfig.DEMO_AGENT, URI.create("ws://" + host + ":" + httpPort + DemoAgent.PATH),
        DEMO_CONNECT_TIMEOUT);
  }

  @Override
  public AgentTarget apply(InboundCall call) {
    String name = numbers.lookup(call.toNumber()).map(EffectiveNumber::agent).orElse(config.defaultAgent());
    chosen.accept(call, name);
    AgentSettings agent = config.agents().get(name);
    if (agent == null) {
      return demo;
    }
    return new AgentTarget(agent.name(), agent.url(), agent.connectTimeout());
  }
}
