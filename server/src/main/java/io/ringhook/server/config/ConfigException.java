package io.ringhook.server.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it listed at once.
 *
 * <p>The message is a header line followed by one {@link ConfigProblem} line per problem, in file
 * order, ready to print as it is when start-up stops.
 */
public final class ConfigException extends RuntimeException {
  private final transient List<ConfigProblem> problems;

  ConfigException(List<ConfigProblem> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, in file order; never empty. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String format(List<ConfigProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    StringBuilder b = new StringBuilder("Invalid configuration (")
        .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
    for (ConfigProblem p : problems) {
      b.append('\n').append(p);
    }
    return b.toString();
  }
}
