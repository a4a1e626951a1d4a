#!/usr/bin/env bash
# Cluster harness: Kamailio running deploy/kamailio/kamailio.cfg in front of two ringhook jars that
# share the test PostgreSQL (a fresh schema, dropped afterwards), a local webhook, and SIPp placing
# calls through the proxy; all on 127.0.0.1. Prints SIPp's figures and the CPU each process used.
#
#   SIPP=/path/to/sipp sipp-scenarios/bench/cluster.sh [options]
#   (needs eval "$(sh scripts/start-test-postgres.sh)"; export RINGHOOK_TEST_PG_URL/USER/PASSWORD)
#
# options:
#   --rate R        calls per second SIPp offers (100)      --calls N     calls in the run (5000)
#   --hold-ms MS    how long each answered call stays up (0)
#   --warmup N      N calls first, not measured (the JVMs' JIT; default 0)
#   --warmup-rate R their rate (20); a cold ringhook needs thousands of calls (BENCHMARKS.md, "Warm-up")
#   --kill-after S  SIGKILL instance b S seconds into the measured run: prints the calls it had in
#                   progress, SIPp's failures by the message they stopped at (INVITE's 200 or BYE's
#                   200), and INVITE->200 before and after the kill
#   --keep          keep the work directory
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RATE=100; CALLS=5000; HOLD_MS=0; KILL_AFTER=""; KEEP=""; WARMUP=0; WARMUP_RATE=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) RATE="$2"; shift ;;       --calls) CALLS="$2"; shift ;;
    --hold-ms) HOLD_MS="$2"; shift ;; --kill-after) KILL_AFTER="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;  --warmup-rate) WARMUP_RATE="$2"; shift ;;
    --keep) KEEP=1 ;;
    *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done
[[ -n "${SIPP:-}" && -x "$SIPP" ]] || { echo "cluster.sh: set SIPP to the sipp binary" >&2; exit 2; }
[[ -n "${RINGHOOK_TEST_PG_URL:-}" ]] || { echo "cluster.sh: export RINGHOOK_TEST_PG_URL/USER/PASSWORD" >&2; exit 2; }
(( CALLS <= 20000 && WARMUP <= 20000 && RATE <= 2000 )) || { echo "cluster.sh: keep --calls <= 20000, --rate <= 2000" >&2; exit 2; }
JAR="$ROOT/server/target/ringhook.jar"
[[ -f "$JAR" ]] || { echo "cluster.sh: no $JAR (mvn -o -q -B -DskipTests package)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/ringhook-cluster.XXXXXX)"
PIDS=()
SCHEMA="bench_$(date +%s)_$$"
PG_HOST=$(sed -E 's#jdbc:postgresql://([^/:?]+).*#\1#' <<<"$RINGHOOK_TEST_PG_URL")
PG_PORT=$(sed -E 's#jdbc:postgresql://[^/:?]+:?([0-9]*)/.*#\1#' <<<"$RINGHOOK_TEST_PG_URL")
PG_DB=$(sed -E 's#jdbc:postgresql://[^/]+/([^?]+).*#\1#' <<<"$RINGHOOK_TEST_PG_URL")
psql_() { PGPASSWORD="$RINGHOOK_TEST_PG_PASSWORD" psql -X -tAq -h "$PG_HOST" -p "${PG_PORT:-5432}" -U "$RINGHOOK_TEST_PG_USER" -d "$PG_DB" -c "$1"; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  psql_ "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  if [[ -n "$KEEP" ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
psql_ "CREATE SCHEMA $SCHEMA"

# Free ports: proxy, SIPp, webhook, then SIP and HTTP of each instance.
BASE=$(python3 "$HERE/freeports.py" 7 41000)
EDGE=$BASE; SIPP_PORT=$((BASE + 1)); WH=$((BASE + 2)); SIP_A=$((BASE + 3)); HTTP_A=$((BASE + 4))
SIP_B=$((BASE + 5)); HTTP_B=$((BASE + 6))

python3 "$HERE/webhook_server.py" --port "$WH" --latency-ms 0 --fail-rate 0 >"$WORK/webhook.log" 2>&1 &
PIDS+=($!)
instance() { # NAME SIP HTTP RTP_MIN
  cat >"$WORK/$1.yaml" <<EOF
sip: {host: 127.0.0.1, port: $2}
rtp: {host: 127.0.0.1, port_min: $4, port_max: $(($4 + 4999)), timeout: 30s}
http: {host: 127.0.0.1, port: $3}
trunks: [{name: edge, allow: [127.0.0.1/32]}]
records: {url: "$RINGHOOK_TEST_PG_URL?currentSchema=$SCHEMA", user: "$RINGHOOK_TEST_PG_USER", password: "\${PG_PASSWORD}"}
numbers: {"+15551000000": {inbound_webhook_url: "http://127.0.0.1:$WH/inbound"}}
shutdown: {grace: 5s}
EOF
  PG_PASSWORD="$RINGHOOK_TEST_PG_PASSWORD" java -Xmx1g -jar "$JAR" --config "$WORK/$1.yaml" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$1=$!"
}
instance a "$SIP_A" "$HTTP_A" 20000
instance b "$SIP_B" "$HTTP_B" 25000
# Up to 200 s: each warms up until its JIT has caught up (3 min at most), the two sharing the cores.
for n in a b; do
  for _ in $(seq 1 1000); do grep -q " ready" "$WORK/$n.log" 2>/dev/null && break; sleep 0.2; done
  grep -q " ready" "$WORK/$n.log" || { echo "cluster.sh: instance $n did not start" >&2; cat "$WORK/$n.log" >&2; exit 1; }
done

printf '1 sip:127.0.0.1:%d 0 0\n1 sip:127.0.0.1:%d 0 0\n' "$SIP_A" "$SIP_B" >"$WORK/dispatcher.list"
echo "1 127.0.0.1 32" >"$WORK/trunks.list"
/usr/sbin/kamailio -DD -E -f "$ROOT/deploy/kamailio/kamailio.cfg" -Y "$WORK" -P "$WORK/kamailio.pid" -m 64 -M 8 \
  -A LISTEN_IP=127.0.0.1 -A "SIP_PORT=$EDGE" -A "DS_LIST_FILE=\"$WORK/dispatcher.list\"" \
  -A "TRUNKS_FILE=\"$WORK/trunks.list\"" -A "CTL_SOCKET=\"unix:$WORK/kamailio_ctl\"" -A "TRUNK_CPS=$((RATE * 2))" \
  -A DEBUG_LEVEL=1 >"$WORK/kamailio.log" 2>&1 &
KAM=$!
PIDS+=("$KAM")
sleep 2
kill -0 "$KAM" || { echo "cluster.sh: kamailio did not start" >&2; cat "$WORK/kamailio.log" >&2; exit 1; }

ticks() { # summed utime+stime of the given pids
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
kam_pids() { echo "$KAM" $(pgrep -P "$KAM" || true); }
HZ=$(getconf CLK_TCK)
echo "+15551000000;" | { echo SEQUENTIAL; cat; } >"$WORK/numbers.csv"
sipp_run() { # DIR RATE CALLS: SIPp through the proxy, in the background (SIPP_PID)
  mkdir -p "$1"
  (cd "$1" && "$SIPP" -sf "$HERE/uac-load.xml" -inf "$WORK/numbers.csv" -r "$2" -rp 1000 -m "$3" -l "$3" \
     -d "$HOLD_MS" -i 127.0.0.1 -p "$SIPP_PORT" -buff_size 8388608 -nostdin -trace_stat -fd 1 -trace_rtt \
     -rtt_freq 50 -trace_err -timeout 120s -timeout_error "127.0.0.1:$EDGE" >sipp.out 2>&1) &
  SIPP_PID=$!
}
if (( WARMUP > 0 )); then
  sipp_run "$WORK/warmup" "$WARMUP_RATE" "$WARMUP"; wait "$SIPP_PID" || true
  echo "warm-up: $(python3 "$HERE/loadstats.py" sipp "$WORK/warmup" | head -1)"
  sleep 2
fi
K0=$(ticks $(kam_pids)); A0=$(ticks "$PID_a"); B0=$(ticks "$PID_b")
T0=$(date +%s.%N)
sipp_run "$WORK/run" "$RATE" "$CALLS"
if [[ -n "$KILL_AFTER" ]]; then
  sleep "$KILL_AFTER"
  ACTIVE_B=$(curl -s "http://127.0.0.1:$HTTP_B/metrics" | sed -n 's/^ringhook_calls_active \([0-9]*\).*/\1/p')
  B1=$(ticks "$PID_b")
  kill -9 "$PID_b"
  TK=$(date +%s.%N)
  echo "killed instance b (SIGKILL) at ${KILL_AFTER}s with $ACTIVE_B calls in progress on it"
fi
wait "$SIPP_PID" || true
T1=$(date +%s.%N)
K1=$(ticks $(kam_pids)); A1=$(ticks "$PID_a"); B1=${B1:-$(ticks "$PID_b")}
python3 "$HERE/loadstats.py" sipp "$WORK/run"
if [[ -n "$KILL_AFTER" ]]; then
  # SIPp's rtt lines: ms since SIPp started when the 200 came; the response time in ms.
  python3 - "$WORK/run" "$(python3 -c "print($TK - $T0)")" <<'EOF'
import glob, sys
d, tk = sys.argv[1], float(sys.argv[2])
before, after = [], []
for f in glob.glob(d + "/*_rtt.csv"):
    for line in open(f):
        p = line.strip().split(";")
        if len(p) == 3 and p[0][:1].isdigit() and p[2] == "invite-200":
            t, ms = float(p[0]), float(p[1])
            (before if (t - ms) / 1000 < tk else after).append(ms)
for name, v in (("sent before the kill", before), ("sent after the kill", after)):
    v.sort()
    if v:
        print("invite-200_ms %s: n=%d p50=%.0f p99=%.0f max=%.0f over 2000 ms: %d" % (
            name, len(v), v[len(v) // 2], v[min(len(v) - 1, int(len(v) * 0.99))], v[-1], sum(1 for x in v if x > 2000)))
EOF
fi
python3 - "$T0" "$T1" "$HZ" "$K0" "$K1" "$A0" "$A1" "$B0" "$B1" <<'EOF'
import sys
t0, t1, hz = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
k0, k1, a0, a1, b0, b1 = map(int, sys.argv[4:])
wall = t1 - t0
for name, c in (("kamailio", k1 - k0), ("ringhook a", a1 - a0), ("ringhook b", b1 - b0)):
    print("cpu %-10s %6.1f s over %.0f s wall (%.0f%% of one core)" % (name, c / hz, wall, 100 * c / hz / wall))
EOF
sleep 2
echo "records: $(psql_ "SELECT outcome || '=' || count(*) FROM $SCHEMA.calls GROUP BY outcome ORDER BY 1" | tr '\n' ' ')"
echo "failovers in the proxy: $(grep -c 'failing over' "$WORK/kamailio.log" || true)"
