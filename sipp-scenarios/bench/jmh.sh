#!/usr/bin/env bash
# Runs the JMH benchmarks of ringhook's hot paths. They live in the test sources of the module
# they measure (src/test/java/io/ringhook/<package>/bench, JMH as a test dependency), so there is
# no benchmark module: this script compiles one module's tests offline and runs JMH on its test
# classpath, one module after the other (never in parallel: the machine is shared).
#
#   sipp-scenarios/bench/jmh.sh                         every module, the settings in the classes
#   sipp-scenarios/bench/jmh.sh media-bridge            one module
#   sipp-scenarios/bench/jmh.sh sip-core -- -f 1 -wi 2 -i 3 parseInvite    JMH options after --
#
# Modules: sip-core (SIP parse/answer, state machine), webhook-hook (webhook JSON), media-bridge
# (G.711, RTP), server (call records: JdbcRecordStore.insert on SQLite, and on PostgreSQL when
# RINGHOOK_TEST_PG_URL/USER/PASSWORD are exported: eval "$(sh scripts/start-test-postgres.sh)"; export ...).
# Results are printed and kept as JSON in $JMH_OUT (default /tmp/ringhook-jmh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${JMH_OUT:-/tmp/ringhook-jmh}"
MODULES=(); JMH_ARGS=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--" ]]; then shift; JMH_ARGS=("$@"); break; fi
  MODULES+=("$1"); shift
done
[[ ${#MODULES[@]} -gt 0 ]] || MODULES=(sip-core webhook-hook media-bridge server)
mkdir -p "$OUT"

for m in "${MODULES[@]}"; do
  [[ -d "$ROOT/$m/src/test/java" ]] || { echo "jmh.sh: no module $m" >&2; exit 2; }
  echo "== $m"
  # One session with -am: the test-support module resolves to its classes in the reactor (it is
  # never installed); the module itself comes last, so the classpath file ends up being its own.
  (cd "$ROOT" && mvn -o -q -B -pl "$m" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$OUT/$m.classpath" >/dev/null)
  java -cp "$ROOT/$m/target/test-classes:$ROOT/$m/target/classes:$(cat "$OUT/$m.classpath")" \
    org.openjdk.jmh.Main -rf json -rff "$OUT/$m.json" "${JMH_ARGS[@]}"
done
