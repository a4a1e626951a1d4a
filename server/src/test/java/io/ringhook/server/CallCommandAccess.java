package io.ringhook.server;

import java.io.PrintStream;
import java.util.List;

/** Opens the package-private {@link CallCommand} to the integration tests in another package. */
public final class CallCommandAccess {
  private CallCommandAccess() {}

  public static int main(List<String> args, PrintStream out, PrintStream err) {
    return CallCommand.main(args, out, err);
  }
}
