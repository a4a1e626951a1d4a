package io.ringhook.server.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The loader of ringhook's configuration: one YAML file over the embedded defaults, environment
 * placeholders expanded, every key checked.
 *
 * <p>Each entry point either returns a complete {@link RingConfig} or throws a {@link ConfigException}
 * listing every problem found. Only {@link #load(Optional)} reads the process environment; the others
 * take it as a map, so tests pass their own.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * Loads {@code file}, or only the defaults when there is none, with {@code System.getenv()} for
   * placeholders: what {@code main} calls.
   */
  public static RingConfig load(Optional<Path> file) {
    return load(file, System.getenv());
  }

  /** Loads {@code file}, or only the defaults when there is none, with {@code env} for placeholders. */
  public static RingConfig load(Optional<Path> file, Map<String, String> env) {
    Objects.requireNonNull(file, "file");
    // Without a file the defaults still see the environment (RINGHOOK_ADMIN_TOKEN).
    return file.isPresent() ? load(file.get(), env) : parse("", "<defaults>", Path.of("").toAbsolutePath(), env);
  }

  /**
   * Loads one YAML file with {@code env} for placeholders. A relative {@code ca_file} is taken
   * relative to the file's directory.
   */
  public static RingConfig load(Path file, Map<String, String> env) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(env, "env");
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw single(file.toString(), "no such file");
    } catch (CharacterCodingException e) {
      throw single(file.toString(), "not UTF-8 text");
    } catch (IOException e) {
      throw single(file.toString(), "cannot read: " + e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), dir == null ? Path.of("") : dir, env);
  }

  /** Parses YAML text with {@code env} for placeholders; problems name the source {@code <string>}. */
  public static RingConfig parse(String yaml, Map<String, String> env) {
    return parse(yaml, "<string>", Path.of("").toAbsolutePath(), env);
  }

  /**
   * Parses YAML text.
   *
   * @param yaml       the configuration text
   * @param sourceName the name problems are reported under, usually the file's path
   * @param baseDir    the directory a relative {@code ca_file} is resolved against
   * @param env        the environment for {@code ${NAME}} placeholders
   */
  public static RingConfig parse(String yaml, String sourceName, Path baseDir, Map<String, String> env) {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(baseDir, "baseDir");
    Objects.requireNonNull(env, "env");
    Problems problems = new Problems(sourceName);
    var tree = YamlTree.read(yaml, problems);
    if (tree.isEmpty() && !problems.isEmpty()) {
      problems.throwIfAny(); // a file that is not YAML has nothing more to check
    }
    return new Binder(new TreeReader(problems, Map.copyOf(env)), baseDir, env).bind(tree);
  }

  private static ConfigException single(String source, String message) {
    Problems p = new Problems(source);
    p.add(0, "", null, message);
    return p.toException();
  }
}
