package io.ringhook.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The expansion of environment placeholders in configuration string values.
 *
 * <p>{@code ${NAME}} is replaced by the variable's value; {@code ${NAME:-default}} by the value, or by
 * {@code default} when the variable is unset or empty (as in a POSIX shell). {@code $${} writes a
 * literal {@code ${}. A placeholder's default is taken literally up to the first {@code }}.
 */
final class Placeholders {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Placeholders() {}

  /** Whether {@code text} contains anything this class would expand or unescape. */
  static boolean present(String text) {
    return text.contains("${");
  }

  /**
   * Expands every placeholder in {@code text} from {@code env}.
   *
   * @throws IllegalArgumentException naming every variable that is unset without a default, or the
   *                                  first malformed placeholder
   */
  static String expand(String text, Map<String, String> env) {
    StringBuilder out = new StringBuilder(text.length());
    List<String> missing = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated placeholder: \"${\" without \"}\" (write $${ for a literal ${)");
        }
        String body = text.substring(i + 2, end);
        int sep = body.indexOf(":-");
        String name = sep < 0 ? body : body.substring(0, sep);
        if (!NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("malformed placeholder ${" + body
              + "}: use ${NAME} or ${NAME:-default}, NAME of letters, digits and _");
        }
        String value = env.get(name);
        if (sep >= 0 && (value == null || value.isEmpty())) {
          value = body.substring(sep + 2);
        }
        if (value == null) {
          missing.add(name);
        } else {
          out.append(value);
        }
        i = end + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException((missing.size() == 1
          ? "environment variable " + missing.get(0) + " is not set"
          : "environment variables " + String.join(", ", missing) + " are not set")
          + (missing.size() == 1 ? " (set it" : " (set them") + ", or give a default: ${"
          + missing.get(0) + ":-default})");
    }
    return out.toString();
  }
}
