package io.ringhook.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.server.config.CommandLine.Help;
import io.ringhook.server.config.CommandLine.Run;
import io.ringhook.server.config.CommandLine.UsageException;
import io.ringhook.server.config.CommandLine.Version;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  @Test
  void noArgumentsRunsOnTheDefaults() {
    assertEquals(new Run(Optional.empty()), CommandLine.parse());
  }

  @Test
  void configInEveryForm() {
    Run expected = new Run(Optional.of(Path.of("/etc/ringhook.yaml")));
    assertEquals(expected, CommandLine.parse("--config", "/etc/ringhook.yaml"));
    assertEquals(expected, CommandLine.parse("--config=/etc/ringhook.yaml"));
    assertEquals(expected, CommandLine.parse("-c", "/etc/ringhook.yaml"));
  }

  @Test
  void helpAndVersion() {
    assertEquals(new Help(), CommandLine.parse("--help"));
    assertEquals(new Help(), CommandLine.parse("-h"));
    assertEquals(new Help(), CommandLine.parse("--config", "x.yaml", "--help"));
    assertEquals(new Version(), CommandLine.parse("--version"));
    assertEquals(new Version(), CommandLine.parse("-V"));
    assertTrue(CommandLine.usage().contains("--config FILE"));
  }

  @Test
  void mistakesAreExplained() {
    assertEquals("unknown option --conifg, did you mean --config? (see --help)", error("--conifg", "x.yaml"));
    assertEquals("unknown option --port (see --help)", error("--port=5060"));
    assertEquals("--config needs a FILE (see --help)", error("--config"));
    assertEquals("--config needs a FILE (see --help)", error("--config", "--help"));
    assertEquals("--config needs a FILE (see --help)", error("--config="));
    assertEquals("-c needs a FILE (see --help)", error("-c"));
    assertEquals("--config given twice; ringhook reads one file (see --help)", error("-c", "a.yaml", "--config=b.yaml"));
    assertEquals("unexpected argument \"ringhook.yaml\" (the configuration file goes after --config) (see --help)",
        error("ringhook.yaml"));
    // An error is an error even when --help is there too: the user should see the mistake.
    assertEquals("unknown option --verbose (see --help)", error("--help", "--verbose"));
  }

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> CommandLine.parse(args)).getMessage();
  }
}
