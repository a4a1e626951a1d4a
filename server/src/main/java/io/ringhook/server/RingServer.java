package io.ringhook.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Ticker;
import io.ringhook.media.RtpEndpoints;
import io.ringhook.media.agent.AgentMediaBridge;
import io.ringhook.media.agent.DemoAgent;
import io.ringhook.media.RtpSettings;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.http.HttpFrontend;
import io.ringhook.sip.CallObserver;
import io.ringhook.sip.SipServer;
import io.ringhook.webhook.WebhookClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running ringhook: the SIP server, the webhook client, the agent media bridge and the HTTP port
 * (health, built-in demo agent) on one shared set of Netty event loops, wired from one {@link RingConfig}. {@link Main} runs one; integration
 * tests start their own on free ports.
 */
public final class RingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RingServer.class);

  private final RingConfig config;
  private final EventLoopGroup group;
  private final WebhookClient webhooks;
  private final SipServer sip;
  private final HttpFrontend http;

  private RingServer(RingConfig config, EventLoopGroup group, WebhookClient webhooks, SipServer sip,
                     HttpFrontend http) {
    this.config = config;
    this.group = group;
    this.webhooks = webhooks;
    this.sip = sip;
    this.http = http;
  }

  /** Starts everything the configuration describes; fails fast, releasing what was started. */
  public static RingServer start(RingConfig config) {
    return start(config, CallObserver.none());
  }

  /** As {@link #start(RingConfig)}, telling {@code observer} about every call that ends. */
  public static RingServer start(RingConfig config, CallObserver observer) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
    WebhookClient webhooks = null;
    HttpFrontend http = null;
    try {
      http = HttpFrontend.start(config.http().host(), config.http().port(), group,
          Map.of(DemoAgent.PATH, pipeline -> DemoAgent.addTo(pipeline, DemoAgent.PATH)));
      WebhookClient.Builder wb = WebhookClient.builder().eventLoopGroup(group).version(Version.get());
      config.webhook().caFile().ifPresent(wb::extraCaFile);
      webhooks = wb.build();
      RtpSettings rtp = new RtpSettings(config.rtp().host(), config.rtp().portMin(), config.rtp().portMax(),
          config.rtp().timeout());
      RtpEndpoints endpoints = RtpEndpoints.create(rtp, group, Ticker.systemTicker());
      AgentMediaBridge bridge = new AgentMediaBridge(endpoints, new AgentDirectory(config, http.port()), group);
      SipServer sip = SipServer.builder(config.sipConfig(Version.userAgent()))
          .decider(new WebhookDecider(config, webhooks))
          .bridge(bridge)
          .observer(observer)
          .start();
      LOG.info("ringhook {} ready: SIP {}:{}, RTP {}-{}, {} numbers, default agent {}", Version.get(),
          config.sip().host(), config.sip().port(), config.rtp().portMin(), config.rtp().portMax(),
          config.numbers().size(), config.defaultAgent());
      return new RingServer(config, group, webhooks, sip, http);
    } catch (RuntimeException e) {
      if (webhooks != null) {
        webhooks.close();
      }
      if (http != null) {
        http.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  public RingConfig config() {
    return config;
  }

  /** The HTTP port (health, demo agent). */
  public int httpPort() {
    return http.port();
  }

  /** Calls in progress. */
  public int activeCalls() {
    return sip.activeCalls();
  }

  /** Stops: ringing calls get 503, answered calls BYE, then sockets and threads are released. */
  @Override
  public void close() {
    sip.close(Duration.ofSeconds(5));
    http.close();
    webhooks.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    LOG.info("ringhook stopped");
  }
}
