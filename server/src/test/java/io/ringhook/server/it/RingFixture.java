package io.ringhook.server.it;

import io.ringhook.server.RingServer;
import io.ringhook.server.config.ConfigLoader;
import io.ringhook.server.config.RingConfig;
import io.ringhook.server.peers.FreePorts;
import io.ringhook.server.peers.RtpPeer;
import io.ringhook.server.peers.Sdp;
import io.ringhook.server.peers.SipTestCall;
import io.ringhook.server.peers.SipTestClient;
import io.ringhook.sip.CallObserver.CallSummary;
import io.ringhook.sip.SipServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sip.message.Request;

/**
 * A real ringhook server for an integration test: the production {@link RingServer}, configured
 * from YAML like an operator's file, on free loopback ports, with every ended call recorded.
 */
public final class RingFixture implements AutoCloseable {
  private final RingServer server;
  private final int sipPort;
  private final int httpPort;
  private final LinkedBlockingQueue<CallSummary> ended = new LinkedBlockingQueue<>();
  private final List<CallSummary> all = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Path recordsDir;
  private final String recordsUrl;

  private RingFixture(String extraYaml, Map<String, String> env, String rtpYaml) {
    this(extraYaml, env, rtpYaml, "");
  }

  private RingFixture(String extraYaml, Map<String, String> env, String rtpYaml, String sipYaml) {
    // Records go to a fresh SQLite file of this server's own unless the test names a store.
    try {
      recordsDir = Files.createTempDirectory("ringhook-it-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!extraYaml.startsWith("records:") && !extraYaml.contains("\nrecords:")) {
      extraYaml = extraYaml + "records:\n  url: jdbc:sqlite:" + recordsDir.resolve("ringhook.db") + "\n";
    }
    // No warm-up: a test's few calls do not need a compiled parser, and every test would wait for it.
    if (!extraYaml.startsWith("startup:") && !extraYaml.contains("\nstartup:")) {
      extraYaml = extraYaml + "startup:\n  warmup: 0s\n";
    }
    RingServer started = null;
    int sip = 0;
    int http = 0;
    for (int attempt = 1; started == null; attempt++) {
      sip = FreePorts.udpAndTcp();
      http = FreePorts.udpAndTcp();
      // RTP below the peers' and the ephemeral ranges, one block of 200 per server.
      int rtpMin = 6000 + 200 * ThreadLocalRandom.current().nextInt(0, 20);
      String yaml = "sip:\n  host: 127.0.0.1\n  port: " + sip + "\n" + sipYaml
          + "rtp:\n  host: 127.0.0.1\n  port_min: " + rtpMin + "\n  port_max: " + (rtpMin + 199) + "\n" + rtpYaml
          + "http:\n  host: 127.0.0.1\n  port: " + http + "\n"
          + extraYaml;
      RingConfig config = ConfigLoader.parse(yaml, env);
      try {
        started = RingServer.start(config, summary -> {
          all.add(summary);
          ended.add(summary);
        });
      } catch (SipServer.SipStartException e) {
        // The free port was only a hint: another process may have taken it since the probe.
        if (attempt == 3) {
          throw e;
        }
      }
    }
    server = started;
    recordsUrl = server.config().records().url();
    sipPort = sip;
    httpPort = http;
  }

  /** Starts a server with the base settings (ports) plus {@code extraYaml} (top-level keys other than sip, rtp and http). */
  public static RingFixture start(String extraYaml) {
    return new RingFixture(extraYaml, Map.of(), "");
  }

  /** As {@link #start(String)}, expanding placeholders from {@code env} instead of the real environment. */
  public static RingFixture start(String extraYaml, Map<String, String> env) {
    return new RingFixture(extraYaml, env, "");
  }

  /** As {@link #start(String)} with {@code rtp.timeout} set to {@code timeout} (e.g. {@code 1s}). */
  public static RingFixture startWithRtpTimeout(String timeout, String extraYaml) {
    return new RingFixture(extraYaml, Map.of(), "  timeout: " + timeout + "\n");
  }

  /** As {@link #start(String)} with more keys of the {@code sip} section ({@code sipYaml}: lines indented by two). */
  public static RingFixture startWithSip(String sipYaml, String extraYaml) {
    return new RingFixture(extraYaml, Map.of(), "", sipYaml);
  }

  public RingServer server() {
    return server;
  }

  public int sipPort() {
    return sipPort;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The JDBC URL of this server's records store. */
  public String recordsUrl() {
    return recordsUrl;
  }

  /** A SIP URI on this server, e.g. {@code sip:+15550001@127.0.0.1:5xxx}. */
  public String uri(String user) {
    return "sip:" + user + "@127.0.0.1:" + sipPort;
  }

  /**
   * One complete call to {@code number} from {@code from}: answered, ACKed, hung up by the caller
   * (BYE answered 200); returns its summary.
   */
  public CallSummary answerAndHangUp(SipTestClient client, RtpPeer rtp, String from, String number, Duration wait)
      throws InterruptedException {
    return answerAndHangUp(client.invite(uri(number)).from(from).sdp(Sdp.audio(rtp.port(), 0, 101)).send(), wait);
  }

  /** As above for an INVITE already sent (e.g. with headers of its own). */
  public CallSummary answerAndHangUp(SipTestCall call, Duration wait) throws InterruptedException {
    call.awaitResponse(200, wait);
    call.ack();
    call.bye();
    call.awaitResponse(Request.BYE, 200, wait);
    return awaitCallEnded(wait);
  }

  /** Waits for the next call to end and returns its summary. */
  public CallSummary awaitCallEnded(Duration timeout) throws InterruptedException {
    CallSummary s = ended.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (s == null) {
      throw new AssertionError("no call ended within " + timeout + "; active calls: " + server.activeCalls());
    }
    return s;
  }

  /** Every call that has ended so far. */
  public List<CallSummary> endedCalls() {
    return List.copyOf(all);
  }

  /** Stops the server (ringing calls get 503, answered ones BYE); a second call does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.close();
      try (var files = Files.walk(recordsDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary directory is harmless
      }
    }
  }
}
