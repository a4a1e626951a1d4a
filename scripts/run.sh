#!/usr/bin/env bash
# Builds ringhook and runs it. With no arguments it runs on the embedded default configuration
# (SIP on 0.0.0.0:5060 UDP+TCP, calls accepted from loopback and private networks, every call
# bridged to the built-in demo agent, which echoes the caller). Extra arguments go to the server, e.g. --config FILE.
#
# The JVM: RINGHOOK_JAVA when set, else $JAVA_HOME's, else `java` (17 or later). Java 17 is the default:
# warm, at 1,000-1,500 calls a second, it did better than Java 25 with the same default heap (BENCHMARKS.md).
# On Java 25 or later the server starts from an ahead-of-time cache (JEP 483/515: classes loaded and
# linked, method profiles) trained by `ringhook.jar warm-up` the first time after a build that changed
# the jar (server/target/aot/: the cache, the jar it belongs to, the training's output).
# The training runs with the same arguments (--config FILE) on loopback only, but on both cores: on a box
# with a live instance, build and train elsewhere or set RINGHOOK_AOT=0.
# RINGHOOK_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java picks Java 25, which with the cache answers a
# cold campaign's first seconds faster (docs/sizing.md); RINGHOOK_AOT=0 starts without it; RINGHOOK_JAVA_OPTS
# adds JVM options to the server (not the training), e.g. "-Xms2g -Xmx2g" (docs/sizing.md: on Java 25 a
# heap that starts at its maximum keeps G1 from marking concurrently near capacity).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
JAR=server/target/ringhook.jar

# RINGHOOK_JAVA; else $JAVA_HOME's java, when set; else the java on the path.
java_bin() {
  if [[ -n "${RINGHOOK_JAVA:-}" ]]; then echo "$RINGHOOK_JAVA"; return; fi
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME/bin/java"; return; fi
  echo java
}

JAVA=$(java_bin)
VERSION=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
OPTS=()
# Netty loads its native epoll library: Java 22 and later warn about that unless it is allowed.
[[ "${VERSION:-0}" -lt 22 ]] || OPTS+=(--enable-native-access=ALL-UNNAMED)
# G1, the JVM's own choice with two or more CPUs and about 2 GB, named so that a box or container with one CPU
# or less memory does not get Serial, whose full collections stopped every call for 0.1-0.4 s under load
# (docs/sizing.md). RINGHOOK_JAVA_OPTS that names a collector (-XX:+Use...GC) chooses instead.
[[ "${RINGHOOK_JAVA_OPTS:-}" =~ -XX:\+Use[A-Za-z]+GC ]] || OPTS+=(-XX:+UseG1GC)
SERVER=yes
case "${1:-}" in call|warm-up|-h|--help|-V|--version) SERVER=no ;; esac
if [[ "$SERVER" == yes && "${RINGHOOK_AOT:-1}" != 0 && "${VERSION:-0}" -ge 25 ]]; then
  # The JVM takes a cache only with the very jar file (its size and modification time) and the very JVM it
  # was trained with, and every build rewrites ringhook.jar: so the cache goes with a copy of the jar,
  # both named by the jar's content and the JVM's version; a build that changed nothing keeps them.
  AOT_DIR=server/target/aot
  mkdir -p "$AOT_DIR"
  exec 9>"$AOT_DIR/.lock"
  flock 9 # another run.sh training at the same time: wait for it, then use its cache
  SUM=$({ cat "$JAR"; "$JAVA" -version 2>&1; } | sha256sum | cut -c1-16)
  CACHE="$AOT_DIR/ringhook-$SUM.aot"
  if [[ ! -s "$CACHE" ]]; then
    echo "run.sh: training the ahead-of-time cache for Java $VERSION (once per build, about a minute): $CACHE" >&2
    find "$AOT_DIR" -maxdepth 1 -name 'ringhook-*' -delete
    cp "$JAR" "$AOT_DIR/ringhook-$SUM.jar"
    rc=0
    "$JAVA" "${OPTS[@]}" -XX:AOTCacheOutput="$AOT_DIR/training.aot" -jar "$AOT_DIR/ringhook-$SUM.jar" warm-up "$@" \
      >"$AOT_DIR/training.log" 2>&1 || rc=$?
    if [[ "$rc" -eq 0 && -s "$AOT_DIR/training.aot" ]]; then
      mv "$AOT_DIR/training.aot" "$CACHE"
    else
      rm -f "$AOT_DIR/training.aot"
      [[ "$rc" -lt 128 ]] || exit "$rc" # interrupted (Ctrl-C): no cache, no server
      echo "run.sh: the training failed (exit $rc, $AOT_DIR/training.log); starting without the cache" >&2
    fi
  fi
  exec 9>&-
  if [[ -s "$CACHE" ]]; then
    JAR="$AOT_DIR/ringhook-$SUM.jar"
    OPTS+=(-XX:AOTCache="$CACHE")
  fi
fi
# shellcheck disable=SC2086  # a list of JVM options, split on purpose
exec "$JAVA" "${OPTS[@]}" ${RINGHOOK_JAVA_OPTS:-} -jar "$JAR" "$@"
