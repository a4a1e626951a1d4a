#!/usr/bin/env bash
# Builds ringhook and runs it. With no arguments it runs on the embedded default configuration
# (SIP on 0.0.0.0:5060 UDP+TCP, calls accepted from loopback and private networks, every call
# answered by the built-in echo agent). Extra arguments go to the server, e.g. --config FILE.
#
# The JVM: the newest Java 25 or later among $JAVA_HOME and /usr/lib/jvm/*, else `java` (17 or later).
# On Java 25 or later the server starts from an ahead-of-time cache (JEP 483/515: classes loaded and
# linked, method profiles) trained by `ringhook.jar warm-up` the first time after a build that changed
# the jar (server/target/aot/: the cache, the jar it belongs to, the training's output).
# RINGHOOK_JAVA=/path/to/java picks the JVM; RINGHOOK_AOT=0 starts without the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
JAR=server/target/ringhook.jar

# The feature version of the JDK at $1 (its release file), or 0.
jdk_version() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true
}

java_bin() {
  if [[ -n "${RINGHOOK_JAVA:-}" ]]; then echo "$RINGHOOK_JAVA"; return; fi
  local best="" best_version=24 home v
  for home in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" ]] || continue
    v=$(jdk_version "$home")
    if [[ -n "$v" && "$v" -gt "$best_version" ]]; then best="$home/bin/java"; best_version="$v"; fi
  done
  echo "${best:-java}"
}

JAVA=$(java_bin)
VERSION=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
OPTS=()
# Netty loads its native epoll library: Java 22 and later warn about that unless it is allowed.
[[ "${VERSION:-0}" -lt 22 ]] || OPTS+=(--enable-native-access=ALL-UNNAMED)
if [[ "${RINGHOOK_AOT:-1}" != 0 && "${VERSION:-0}" -ge 25 ]]; then
  # The JVM takes a cache only with the very jar file it was trained with (its size and modification
  # time), and every build rewrites ringhook.jar: so the cache goes with a copy of the jar named by its
  # content, and a build that changed nothing keeps both.
  AOT_DIR=server/target/aot
  SUM=$(sha256sum "$JAR" | cut -c1-16)
  CACHE="$AOT_DIR/ringhook-$SUM.aot"
  if [[ ! -s "$CACHE" ]]; then
    echo "run.sh: training the ahead-of-time cache for Java $VERSION (once per build, about a minute): $CACHE" >&2
    rm -rf "$AOT_DIR" && mkdir -p "$AOT_DIR" && cp "$JAR" "$AOT_DIR/ringhook-$SUM.jar"
    "$JAVA" "${OPTS[@]}" -XX:AOTCacheOutput="$CACHE" -jar "$AOT_DIR/ringhook-$SUM.jar" warm-up \
      >"$AOT_DIR/training.log" 2>&1 \
      || echo "run.sh: the training failed ($AOT_DIR/training.log); starting without the cache" >&2
  fi
  if [[ -s "$CACHE" ]]; then
    JAR="$AOT_DIR/ringhook-$SUM.jar"
    OPTS+=(-XX:AOTCache="$CACHE")
  fi
fi
exec "$JAVA" "${OPTS[@]}" -jar "$JAR" "$@"
