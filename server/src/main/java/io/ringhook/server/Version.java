package io.ringhook.server;

/** ringhook's version, from the jar manifest (or "dev" when run from classes). */
public final class Version {
  private Version() {}

  public static String get() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** The User-Agent and Server header value, e.g. {@code ringhook/0.1.0}. */
  public static String userAgent() {
    return "ringhook/" + get();
  }
}
