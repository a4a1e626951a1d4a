package io.ringhook.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parser of ringhook's command line: {@code [--config FILE] | --help | --version} (after {@code warm-up},
 * which {@code Main} takes off first, the same).
 *
 * <p>{@code --config FILE}, {@code --config=FILE} and {@code -c FILE} name the YAML file; without it
 * the server runs on the embedded defaults. Anything else is a {@link UsageException} whose message
 * says what was wrong and points to {@code --help}.
 */
public final class CommandLine {
  /** What the command line asks for. */
  public sealed interface Command permits Run, Help, Version {}

  /** Run the server, on {@code config} over the defaults, or on the defaults alone. */
  public record Run(Optional<Path> config) implements Command {
    public Run {
      Objects.requireNonNull(config, "config");
    }
  }

  /** Print {@link #usage()} and exit 0. */
  public record Help() implements Command {}

  /** Print the version and exit 0. */
  public record Version() implements Command {}

  /** A command line that cannot be understood; print the message and exit 2. */
  public static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message + " (see --help)");
    }
  }

  private static final List<String> OPTIONS = List.of("--config", "--help", "--version");

  private CommandLine() {}

  /** The help text: usage, options, and where the configuration is documented. */
  public static String usage() {
    return """
        Usage: java -jar ringhook.jar [--config FILE]
               java -jar ringhook.jar --help | --version
               java -jar ringhook.jar call NUMBER --server HOST[:PORT] [--from NUMBER] [--seconds N] [--tone HZ]
               java -jar ringhook.jar warm-up [--config FILE]

        ringhook is a SIP edge server for AI voice agents. Without --config it runs on its
        embedded defaults: SIP on 0.0.0.0:5060 (UDP and TCP), RTP on ports 20000-29999, HTTP on
        0.0.0.0:8080, calls from loopback and private networks only, every call bridged to the
        built-in demo agent, which echoes the caller.

        Options:
          -c, --config FILE   load the YAML configuration FILE over the defaults
                              (keys: docs/configuration.md; ${NAME} placeholders come from
                              the environment)
          -h, --help          print this help and exit
          -V, --version       print the version and exit

        call places one test call to a running ringhook and prints what happened
        (java -jar ringhook.jar call --help). warm-up runs the start-up warm-up alone on
        loopback and exits: the training run of a JDK 25 ahead-of-time cache (scripts/run.sh).
        """;
  }

  /**
   * Parses the arguments of {@code main}.
   *
   * @throws UsageException for an unknown option, a missing or repeated FILE, or a stray argument
   */
  public static Command parse(String... args) {
    Objects.requireNonNull(args, "args");
    Optional<Path> config = Optional.empty();
    boolean help = false;
    boolean version = false;
    for (int i = 0; i < args.length; i++) {
      String a = Objects.requireNonNull(args[i], "argument");
      String file = null;
      if (a.equals("--config") || a.equals("-c")) {
        if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
          throw new UsageException(a + " needs a FILE");
        }
        file = args[++i];
      } else if (a.startsWith("--config=")) {
        file = a.substring("--config=".length());
      } else if (a.equals("--help") || a.equals("-h")) {
        help = true;
      } else if (a.equals("--version") || a.equals("-V")) {
        version = true;
      } else if (a.startsWith("-")) {
        String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        String hint = Values.didYouMean(name.replaceFirst("^-+", ""),
                OPTIONS.stream().map(o -> o.substring(2)).toList())
            .map(o -> ", did you mean --" + o + "?").orElse("");
        throw new UsageException("unknown option " + name + hint);
      } else {
        throw new UsageException("unexpected argument \"" + a + "\" (the configuration file goes after --config)");
      }
      if (file != null) {
        if (file.isEmpty()) {
          throw new UsageException("--config needs a FILE");
        }
        if (config.isPresent()) {
          throw new UsageException("--config given twice; ringhook reads one file");
        }
        config = Optional.of(Path.of(file));
      }
    }
    if (help) {
      return new Help();
    }
    return version ? new Version() : new Run(config);
  }
}
