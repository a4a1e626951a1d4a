package io.ringhook.server.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A builder of {@link BaresipPeer}s. Defaults: one account {@code peer}, answer mode manual,
 * PCMU and PCMA offered, 2 minutes of silence as the audio source, no SIP trace.
 */
public final class BaresipPeerBuilder {
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9+._-]+");
  private static final Pattern CODEC = Pattern.compile("PCMU|PCMA");

  final String name;
  final List<String> users = new ArrayList<>();
  BaresipConfig.Source source = new BaresipConfig.Silence(Duration.ofMinutes(2));
  boolean autoAnswer;
  List<String> codecs = List.of();
  boolean sipTrace;
  String rtpPorts = BaresipPeer.DEFAULT_RTP_PORTS;
  Duration startTimeout = Duration.ofSeconds(10);

  BaresipPeerBuilder(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_-]{1,32}")) {
      throw new IllegalArgumentException("peer name must be 1-32 of [A-Za-z0-9_-], was " + name);
    }
    this.name = name;
  }

  /**
   * Adds an account for {@code user} (e.g. {@code alice} or {@code +15550001}); the first one is
   * the caller identity of {@link BaresipPeer#dial}. An incoming call's Request-URI user must
   * equal one account's user, else baresip answers 404.
   */
  public BaresipPeerBuilder user(String user) {
    if (user == null || !USER.matcher(user).matches()) {
      throw new IllegalArgumentException("user must match " + USER + ", was " + user);
    }
    users.add(user);
    return this;
  }

  /** Answers every incoming call at once (180, then 200) instead of ringing until {@link BaresipPeer#accept()}. */
  public BaresipPeerBuilder autoAnswer() {
    this.autoAnswer = true;
    return this;
  }

  /** Offers and accepts only {@code codecs}, in this order ({@code PCMU}, {@code PCMA}). */
  public BaresipPeerBuilder codecs(String... codecs) {
    for (String c : codecs) {
      if (!CODEC.matcher(c).matches()) {
        throw new IllegalArgumentException("codec must be PCMU or PCMA (module g711), was " + c);
      }
    }
    this.codecs = List.of(codecs);
    return this;
  }

  /**
   * Plays {@code wav} (16-bit mono 8 kHz, see {@link Wav#writeSine}); the peer hangs up with a
   * BYE when it ends, so its length is the talk time.
   */
  public BaresipPeerBuilder audioFile(Path wav) {
    if (!Files.isRegularFile(wav)) {
      throw new IllegalArgumentException("no such WAV file: " + wav);
    }
    this.source = new BaresipConfig.WavFile(wav.toAbsolutePath());
    return this;
  }

  /** Sends an endless sine of {@code hz} (10 to 3990, to fit 8 kHz telephony). */
  public BaresipPeerBuilder sine(int hz) {
    if (hz < 10 || hz > 3990) {
      throw new IllegalArgumentException("sine must be 10..3990 Hz, was " + hz);
    }
    this.source = new BaresipConfig.Sine(hz);
    return this;
  }

  /** Sends silence for {@code length}, then hangs up like the end of a WAV file. */
  public BaresipPeerBuilder silence(Duration length) {
    if (length.isNegative() || length.isZero() || length.toMinutes() > 30) {
      throw new IllegalArgumentException("silence must last (0, 30 min], was " + length);
    }
    this.source = new BaresipConfig.Silence(length);
    return this;
  }

  /** Prints the full SIP trace (baresip {@code -s}) into the peer's output and out.log. */
  public BaresipPeerBuilder sipTrace(boolean on) {
    this.sipTrace = on;
    return this;
  }

  /** Uses RTP ports {@code min..max} (default {@value BaresipPeer#DEFAULT_RTP_PORTS}). */
  public BaresipPeerBuilder rtpPorts(int min, int max) {
    if (min < 1024 || max > 65535 || min > max) {
      throw new IllegalArgumentException("bad RTP port range " + min + "-" + max);
    }
    this.rtpPorts = min + "-" + max;
    return this;
  }

  /** Waits at most {@code timeout} for "baresip is ready." (default 10 s). */
  public BaresipPeerBuilder startTimeout(Duration timeout) {
    this.startTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** Writes the configuration, starts baresip and connects to its ctrl_tcp. */
  public BaresipPeer start() throws IOException {
    if (users.isEmpty()) {
      users.add("peer");
    }
    return BaresipPeer.launch(this);
  }

  static Optional<String> executable() {
    String explicit = System.getProperty("ringhook.baresip");
    if (explicit != null) {
      return Optional.of(explicit);
    }
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d, "baresip");
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }
}
