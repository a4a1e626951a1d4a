package io.ringhook.server.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The files of one baresip configuration directory ({@code config}, {@code accounts}, the
 * {@code rec/} recording directory), written with absolute paths because baresip expands no
 * variables. Follows the verified recipe in the team's baresip notes.
 */
final class BaresipConfig {
  /** Where a peer's audio comes from. */
  sealed interface Source permits WavFile, Sine, Silence {}

  /** Plays a 16-bit mono 8 kHz WAV; the call is hung up (BYE) when the file ends. */
  record WavFile(Path file) implements Source {}

  /** Sends an endless sine at {@code hz} (10..20000; ausine runs at 48 kHz stereo, resampled). */
  record Sine(int hz) implements Source {}

  /** Sends digital silence (an aufile WAV of zeros) for {@code length}, then hangs up like a WAV does. */
  record Silence(Duration length) implements Source {}

  private BaresipConfig() {}

  static void write(Path dir, int sipPort, int ctrlPort, String rtpPorts, Source source,
      List<String> users, boolean autoAnswer, List<String> codecs) throws IOException {
    Path rec = Files.createDirectories(dir.resolve("rec"));
    try (var old = Files.newDirectoryStream(rec, "*.wav")) {
      for (Path p : old) {
        Files.delete(p);
      }
    }
    String audioSource;
    String extra = "";
    if (source instanceof WavFile w) {
      audioSource = "aufile," + w.file().toAbsolutePath();
    } else if (source instanceof Silence s) {
      audioSource = "aufile," + Wav.writeSilence(dir.resolve("silence.wav"), s.length());
    } else {
      audioSource = "ausine," + ((Sine) source).hz();
      // ausine only produces 48 kHz stereo; these lines would break an aufile source.
      extra = "ausrc_srate\t\t48000\nausrc_channels\t\t2\n";
    }
    String config = ""
        + "sip_listen\t\t127.0.0.1:" + sipPort + "\n"
        + "net_interface\t\t127.0.0.1\n"
        + "rtp_ports\t\t" + rtpPorts + "\n"
        + "audio_source\t\t" + audioSource + "\n"
        + extra
        + "statmode_default\toff\n"
        + "module_path\t\t/usr/lib/baresip/modules\n"
        + "module\t\t\tg711.so\n"
        + "module\t\t\taufile.so\n"
        + "module\t\t\tausine.so\n"
        + "module\t\t\tsndfile.so\n"
        + "snd_path\t\t" + rec.toAbsolutePath() + "\n"
        + "module_tmp\t\taccount.so\n"
        + "module_app\t\tmenu.so\n"
        + "module_app\t\tctrl_tcp.so\n"
        + "ctrl_tcp_listen\t\t127.0.0.1:" + ctrlPort + "\n";
    Files.writeString(dir.resolve("config"), config);
    StringBuilder accounts = new StringBuilder();
    for (String user : users) {
      accounts.append("<sip:").append(user).append("@127.0.0.1:").append(sipPort).append(">;regint=0");
      if (autoAnswer) {
        accounts.append(";answermode=auto");
      }
      if (!codecs.isEmpty()) {
        accounts.append(";audio_codecs=").append(String.join(",", codecs));
      }
      accounts.append('\n');
    }
    Files.writeString(dir.resolve("accounts"), accounts);
  }
}
