#!/usr/bin/env bash
# Load harness: starts ringhook (the built jar) with a generated configuration, a local webhook
# (bench/webhook_server.py) and drives SIPp at a rate for a number of calls, all on 127.0.0.1,
# then prints what it measured and stops everything it started.
#
#   SIPP=/path/to/sipp sipp-scenarios/bench/load.sh MODE [options]
#
# MODE   cps      calls per second: fast webhook, each call answered then hung up at once
#        ringing  most calls ringing at once: slow webhook (8 s), calls pile up while it thinks
#        bridged  most calls bridged at once: 20 ms PCMU both ways (echo agent) for --hold-ms
#                 (--calls beyond --rate x hold seconds never overlap: 1000 at once for 30 s is
#                 --rate 50 --calls 1000 --hold-ms 55000: the plateau is measured from 22 s to 53 s)
# options (defaults depend on MODE, shown by --help):
#   --rate R          calls per second SIPp offers              --calls N       calls in each measured run
#   --rates "R1 R2.." one server, one warm-up (at R1), then a measured run at each rate: a rate/latency table
#   --hold-ms MS      how long an answered call stays up        --latency-ms MS the webhook's delay
#   --fail-rate F     share of webhook requests that fail       --origins K     spread numbers over K webhook
#                                                                                origins (ports)
#   --hang            the webhook never answers (ringing): every attempt runs into its deadline and every call
#                     should end with 480 after 4 x 10 s + backoff (41.75 s); SIPp expects that 480
#   --webhook-timeout-ms MS  webhook.timeout in the generated configuration (ringhook's default 10 s)
#   --no-leak-check   ringing runs end with a leak check (default): wait until no call is left, then print
#                     ringhook's calls, webhook waiters, connections and streams from /metrics, again after the
#                     31 s that idle keep-alive connections live, and the live heap after a full GC against before
#   --no-ringing-heap ringing runs measure the live heap while the calls ring (default), with a full GC that
#                     stops the server for 0.1-0.2 s while INVITEs still arrive: the INVITE->180/200 tail
#                     then includes that pause. Without it, the latency figures are the server's alone.
#   --warmup N        calls at the same rate before measuring, to warm the JIT (default: N/5, at most 2000)
#   --aot             start ringhook as scripts/run.sh does on Java 25 (the java on PATH must be 25 or later; jars from
#                     347f8bf on): first train an ahead-of-time cache for --jar (`java -XX:AOTCacheOutput=F -jar JAR
#                     warm-up`, about a minute, not measured), then start the server with -XX:AOTCache=F
#   --java-opts "OPTS" more JVM options for ringhook (experiments: -XX:TieredStopAtLevel=1, -Dio.netty.eventLoopThreads=2)
#   --warmup-rate R   the warm-up's rate instead of the first measured one (an overload run: warm at 150, then 2x)
#   --settle S        idle seconds after the warm-up (ringing: 35, else 2)
#   --heap SIZE       ringhook's -Xmx (default 1g)              --jfr           record a JFR profile and
#                                                                                print where the CPU went
#   --quiet-log       ringhook logs WARN only (RTP stats still) --max-seconds S hard bound on the SIPp run (180)
#   --jar JAR         default server/target/ringhook.jar        --keep          keep the work directory
#   --records URL     the call records store (records.url): default a fresh SQLite file in the work directory,
#                     so runs never write into the repository; `pg` = $RINGHOOK_TEST_PG_URL with
#                     $RINGHOOK_TEST_PG_USER / $RINGHOOK_TEST_PG_PASSWORD (eval "$(sh scripts/start-test-postgres.sh)");
#                     `none` = no records section and no records figures (for a jar from before call records)
#   --records-user U  records.user (default $RINGHOOK_RECORDS_USER); the password is read from the environment
#                     only, $RINGHOOK_RECORDS_PASSWORD (never on the command line or in the generated file)
#   --records-buffer N  records.buffer (ringhook's default 10000)
#   --agent A         who answers the calls (any mode): demo (default: ringhook's built-in demo agent,
#                     in-process, so both ends of the WebSocket cost ringhook CPU), node (bench/agent_server.js in
#                     its own process), python (bench/agent_server.py in its own process; slow beyond ~200 calls),
#                     echo (ringhook's built-in RTP echo: no agent process, no WebSocket, no JSON; the media ceiling)
#   --watch-calls K   bridged: watch the RTP the callers receive on the ports of about K callers (a sample; default 100, 0 = off;
#                     needs root or CAP_NET_RAW): inter-packet gap percentiles and the share of packets more than
#                     10 ms behind their slot, over the plateau (bench/rtpwatch.py)
#   --admission FLOW  ringhook's admission section as a YAML flow mapping (default '{source_exempt: [127.0.0.1]}':
#                     the per-source limit, 200/s by default, would otherwise refuse SIPp's single source);
#                     `none` = no admission section (for a jar from before it)
#   --server-warmup D ringhook's startup.warmup (its default 3m, ended sooner once 12,000 calls are made and the JIT has caught up, then a last round; 0s = a cold server)
#   --flood "N R"     during the first measured run, a second SIPp on 127.0.0.2 sends N new INVITEs at R a second
#                     (uac-flood.xml); its results and ringhook's 503 counts are printed after the run
#   --split           ringhook on CPU 0 alone, every peer (SIPp, the webhook, an agent process) on CPU 1 (taskset): the
#                     load generator no longer takes its share of ringhook's CPU, as on a second host. On this 2-core box
#                     ringhook then sees one core (its JVM sizes itself for one); compare split runs with split runs
#   --during CMD      a shell command started in the background when the first measured run starts (e.g. stop
#                     the records database for a while); its output in the log, waited for after the runs
# Prints: calls created/successful/failed, achieved cps, INVITE->180 and INVITE->200 percentiles,
# the server's CPU seconds and share of one core during the run, peak RSS, live heap (ringing: per
# ringing call), and for bridged calls the server's RTP counters (lost, late); for each run the records
# written and dropped and the peak of pending (GET /metrics every 0.5 s), and at the end the records totals
# and a check that the store gained one row per call SIPp made (warm-up included).
# Bridged runs also print the plateau (every call up: from the end of the ramp + 2 s to 2 s before the first
# calls end): calls up, the server's CPU share and per bridged call, the agent's and SIPp's CPU, and what the
# callers received (--watch-calls); then the live heap per bridged call (after a full GC, with the calls up).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 && "$1" != "--help" ]] || usage
MODE="$1"; shift
case "$MODE" in
  cps)     RATE=500; CALLS=5000; HOLD_MS=0;     LATENCY_MS=0;    ORIGINS=1 ;;
  ringing) RATE=500; CALLS=4000; HOLD_MS=0;     LATENCY_MS=8000; ORIGINS=1 ;;
  bridged) RATE=50;  CALLS=500;  HOLD_MS=20000; LATENCY_MS=0;    ORIGINS=1 ;;
  *) usage ;;
esac
RATES=""; FAIL_RATE=0; HEAP=1g; JFR=""; QUIET=""; MAX_SECONDS=180; JAR="$ROOT/server/target/ringhook.jar"; KEEP=""; WARMUP=""; WARMUP_RATE=""; JAVA_OPTS_EXTRA=""
RECORDS_URL=""; RECORDS_USER="${RINGHOOK_RECORDS_USER:-}"; RECORDS_PASSWORD="${RINGHOOK_RECORDS_PASSWORD:-}"
RECORDS_BUFFER=""; DURING=""; HANG=""; LEAK_CHECK=""; WEBHOOK_TIMEOUT_MS=""; AGENT=demo; WATCH_CALLS=100; ADMISSION="{source_exempt: [127.0.0.1]}"; FLOOD=""; SERVER_WARMUP=""; RINGING_HEAP=""; AOT=""; SPLIT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) RATE="$2"; shift ;;            --calls) CALLS="$2"; shift ;;
    --rates) RATES="$2"; RATE="${2%% *}"; shift ;;
    --hold-ms) HOLD_MS="$2"; shift ;;      --latency-ms) LATENCY_MS="$2"; shift ;;
    --fail-rate) FAIL_RATE="$2"; shift ;;  --origins) ORIGINS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;        --heap) HEAP="$2"; shift ;;
    --warmup-rate) WARMUP_RATE="$2"; shift ;;
    --java-opts) JAVA_OPTS_EXTRA="$2"; shift ;;
    --settle) SETTLE="$2"; shift ;;
    --jfr) JFR=1 ;;                        --quiet-log) QUIET=1 ;;
    --max-seconds) MAX_SECONDS="$2"; shift ;; --jar) JAR="$2"; shift ;;
    --keep) KEEP=1 ;;
    --records) RECORDS_URL="$2"; shift ;;  --records-user) RECORDS_USER="$2"; shift ;;
    --records-buffer) RECORDS_BUFFER="$2"; shift ;;
    --during) DURING="$2"; shift ;;
    --hang) HANG=1 ;;                      --no-leak-check) LEAK_CHECK=no ;;
    --no-ringing-heap) RINGING_HEAP=no ;;
    --aot) AOT=1 ;;
    --webhook-timeout-ms) WEBHOOK_TIMEOUT_MS="$2"; shift ;;
    --agent) AGENT="$2"; shift ;;          --watch-calls) WATCH_CALLS="$2"; shift ;;
    --admission) ADMISSION="$2"; shift ;;  --flood) FLOOD="$2"; shift ;;
    --server-warmup) SERVER_WARMUP="$2"; shift ;;
    --split) SPLIT=1 ;;
    *) echo "load.sh: unknown option $1" >&2; usage ;;
  esac
  shift
done
[[ -n "${SIPP:-}" && -x "$SIPP" ]] || { echo "load.sh: set SIPP to the sipp binary" >&2; exit 2; }
[[ -f "$JAR" ]] || { echo "load.sh: no $JAR (mvn -o -q -B -DskipTests package)" >&2; exit 2; }
# Bounded on purpose: this runs on shared machines.
for r in ${RATES:-} ${WARMUP_RATE:-}; do [[ "$r" =~ ^[0-9]+$ ]] && (( r <= 5000 )) || { echo "load.sh: --rates/--warmup-rate: a whole number up to 5000" >&2; exit 2; }; done
# 200000 calls: an overload run offers twice the zero-failure rate for 60 s (2 x 1500 cps x 60 s = 180000).
(( CALLS <= 200000 && RATE <= 5000 && ORIGINS <= 64 && MAX_SECONDS <= 600 )) \
  || { echo "load.sh: keep --calls <= 200000, --rate <= 5000, --origins <= 64, --max-seconds <= 600" >&2; exit 2; }
[[ "$AGENT" == demo || "$AGENT" == echo || "$AGENT" == node || "$AGENT" == python ]] \
  || { echo "load.sh: --agent demo, echo, node or python" >&2; exit 2; }
[[ "$AGENT" != node ]] || command -v node >/dev/null || { echo "load.sh: --agent node needs node on the PATH" >&2; exit 2; }
# --split: the server and its peers on CPUs of their own.
ON_SERVER=(); ON_PEERS=()
if [[ -n "$SPLIT" ]]; then
  command -v taskset >/dev/null && (( $(nproc) >= 2 )) || { echo "load.sh: --split needs taskset and two CPUs" >&2; exit 2; }
  ON_SERVER=(taskset -c 0); ON_PEERS=(taskset -c 1)
fi
[[ -n "$WARMUP" ]] || WARMUP=$(( CALLS / 5 < 2000 ? CALLS / 5 : 2000 ))
[[ -z "$HANG" || "$MODE" == ringing ]] || { echo "load.sh: --hang is for ringing runs" >&2; exit 2; }
[[ -n "$LEAK_CHECK" || "$MODE" != ringing ]] || LEAK_CHECK=yes
# A webhook that never answers: the first attempt's 10 s deadline is when calls stop piling up.
[[ -z "$HANG" ]] || LATENCY_MS="${WEBHOOK_TIMEOUT_MS:-10000}"
if [[ "$RECORDS_URL" == pg ]]; then
  [[ -n "${RINGHOOK_TEST_PG_URL:-}" ]] \
    || { echo "load.sh: --records pg needs RINGHOOK_TEST_PG_URL/USER/PASSWORD: eval \"\$(sh scripts/start-test-postgres.sh)\"" >&2; exit 2; }
  RECORDS_URL="$RINGHOOK_TEST_PG_URL"; RECORDS_USER="${RINGHOOK_TEST_PG_USER:-$RECORDS_USER}"
  RECORDS_PASSWORD="${RINGHOOK_TEST_PG_PASSWORD:-$RECORDS_PASSWORD}"
fi
[[ -z "$RECORDS_URL" || "$RECORDS_URL" == none || "$RECORDS_URL" == jdbc:sqlite:* || "$RECORDS_URL" == jdbc:postgresql:* ]] \
  || { echo "load.sh: --records takes jdbc:sqlite:FILE, jdbc:postgresql://HOST:PORT/DB or pg" >&2; exit 2; }
[[ "$RECORDS_URL" != *'"'* && "$RECORDS_USER" != *'"'* ]] || { echo "load.sh: no double quotes in --records/--records-user" >&2; exit 2; }

WORK="$(mktemp -d /tmp/ringhook-load.XXXXXX)"
RH_PID=""; WH_PID=""; WATCH_PID=""; DURING_PID=""; AG_PID=""
[[ -n "$RECORDS_URL" ]] || RECORDS_URL="jdbc:sqlite:$WORK/records.db"
cleanup() {
  [[ -n "$WATCH_PID" ]] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null || true
  [[ -n "$DURING_PID" ]] && kill "$DURING_PID" 2>/dev/null && wait "$DURING_PID" 2>/dev/null || true
  [[ -n "$RH_PID" ]] && kill "$RH_PID" 2>/dev/null && wait "$RH_PID" 2>/dev/null || true
  [[ -n "$WH_PID" ]] && kill "$WH_PID" 2>/dev/null && wait "$WH_PID" 2>/dev/null || true
  [[ -n "$AG_PID" ]] && kill "$AG_PID" 2>/dev/null && wait "$AG_PID" 2>/dev/null || true
  [[ -n "$KEEP" ]] && echo "work directory: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# Free ports, one block: SIP, HTTP, SIPp, the agent, ORIGINS ports for the webhook, the flood SIPp (TCP and UDP free).
BASE=$(python3 "$HERE/freeports.py" $((5 + ORIGINS)) 39000)
SIP_PORT=$BASE; HTTP_PORT=$((BASE + 1)); SIPP_PORT=$((BASE + 2)); AGENT_PORT=$((BASE + 3)); WH_BASE=$((BASE + 4))
FLOOD_PORT=$((WH_BASE + ORIGINS))  # its own port: the SIPp of the measured run is found by its -p

# Configuration: ORIGINS numbers, each with its own webhook origin; numbers.csv for SIPp.
{
  cat <<EOF
sip: {host: 127.0.0.1, port: $SIP_PORT}
rtp: {host: 127.0.0.1, port_min: 20000, port_max: 29999, timeout: 30s}
http: {host: 127.0.0.1, port: $HTTP_PORT}
EOF
  [[ "$RECORDS_URL" == none ]] || printf 'records:\n  url: "%s"\n' "$RECORDS_URL"
  [[ "$RECORDS_URL" == none || -z "$RECORDS_USER" ]] || echo "  user: \"$RECORDS_USER\""
  # A placeholder: the password stays in the environment of the java process.
  [[ "$RECORDS_URL" == none || -z "$RECORDS_PASSWORD" ]] || echo '  password: ${RINGHOOK_RECORDS_PASSWORD}'
  [[ "$RECORDS_URL" == none || -z "$RECORDS_BUFFER" ]] || echo "  buffer: $RECORDS_BUFFER"
  [[ -z "$WEBHOOK_TIMEOUT_MS" ]] || echo "webhook: {timeout: ${WEBHOOK_TIMEOUT_MS}ms}"
  if [[ "$AGENT" == echo ]]; then
    echo "default_agent: echo"   # the numbers below name no agent of their own
  elif [[ "$AGENT" != demo ]]; then
    printf 'agents:\n  bench: {url: "ws://127.0.0.1:%d/"}\ndefault_agent: bench\n' "$AGENT_PORT"
  fi
  [[ "$ADMISSION" == none ]] || echo "admission: $ADMISSION"
  [[ -z "$SERVER_WARMUP" ]] || echo "startup: {warmup: $SERVER_WARMUP}"
  echo "numbers:"
  for ((i = 0; i < ORIGINS; i++)); do
    printf '  "+1555100%04d": {inbound_webhook_url: "http://127.0.0.1:%d/inbound"}\n' "$i" $((WH_BASE + i))
  done
} >"$WORK/ringhook.yaml"
{ echo SEQUENTIAL; for ((i = 0; i < ORIGINS; i++)); do printf '+1555100%04d;\n' "$i"; done; } >"$WORK/numbers.csv"

LOGCONF=()
if [[ -n "$QUIET" ]]; then
  cat >"$WORK/logback.xml" <<'EOF'
<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
  </appender>
  <logger name="io.ringhook.media.RtpStream" level="INFO"/>
  <logger name="io.ringhook.server.RingServer" level="INFO"/>
  <logger name="io.ringhook.server.Warmup" level="INFO"/>
  <root level="WARN"><appender-ref ref="OUT"/></root>
</configuration>
EOF
  LOGCONF=("-Dlogback.configurationFile=$WORK/logback.xml")
fi

"${ON_PEERS[@]}" python3 "$HERE/webhook_server.py" --port "$WH_BASE" --extra-ports $((ORIGINS - 1)) \
  --latency-ms "$LATENCY_MS" --fail-rate "$FAIL_RATE" ${HANG:+--hang} >"$WORK/webhook.log" 2>&1 &
WH_PID=$!
if [[ "$AGENT" == demo ]]; then
  echo "agent: demo, ringhook's built-in WebSocket agent: no agent process (both ends of each WebSocket in ringhook)"
elif [[ "$AGENT" == echo ]]; then
  echo "agent: echo, ringhook's built-in RTP echo: no agent process, no WebSocket"
else
  if [[ "$AGENT" == node ]]; then
    "${ON_PEERS[@]}" node "$HERE/agent_server.js" --port "$AGENT_PORT" >"$WORK/agent.log" 2>&1 &
  else
    "${ON_PEERS[@]}" python3 "$HERE/agent_server.py" --port "$AGENT_PORT" >"$WORK/agent.log" 2>&1 &
  fi
  AG_PID=$!
  for _ in $(seq 1 50); do grep -q "listening" "$WORK/agent.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "listening" "$WORK/agent.log" || { echo "load.sh: the $AGENT agent did not start" >&2; cat "$WORK/agent.log" >&2; exit 1; }
  echo "agent: $AGENT, in its own process (pid $AG_PID) on ws://127.0.0.1:$AGENT_PORT/"
fi
AOT_OPTS=()
if [[ -n "$AOT" ]]; then
  AOT_OPTS=(--enable-native-access=ALL-UNNAMED -XX:AOTCache="$WORK/ringhook.aot")
  echo "aot: training an ahead-of-time cache for $(basename "$JAR") on $(java -version 2>&1 | head -1)"
  java --enable-native-access=ALL-UNNAMED -XX:AOTCacheOutput="$WORK/ringhook.aot" -jar "$JAR" warm-up \
    >"$WORK/aot-training.log" 2>&1 && [[ -s "$WORK/ringhook.aot" ]] \
    || { echo "load.sh: the AOT training failed (Java 25 or later, a jar with 'warm-up'?):" >&2; tail -5 "$WORK/aot-training.log" >&2; exit 1; }
fi
# shellcheck disable=SC2086  # --java-opts is a list of JVM options, split on purpose
RINGHOOK_RECORDS_PASSWORD="$RECORDS_PASSWORD" "${ON_SERVER[@]}" java "-Xmx$HEAP" "${AOT_OPTS[@]}" $JAVA_OPTS_EXTRA "${LOGCONF[@]}" -jar "$JAR" --config "$WORK/ringhook.yaml" >"$WORK/ringhook.log" 2>&1 &
RH_PID=$!
# Up to 6 minutes: startup.warmup (3 m at most by default, 5 m at most at all) comes first.
for _ in $(seq 1 1800); do grep -q " ready" "$WORK/ringhook.log" 2>/dev/null && break; sleep 0.2; done
grep -q " ready" "$WORK/ringhook.log" || { echo "load.sh: ringhook did not start" >&2; cat "$WORK/ringhook.log" >&2; exit 1; }
grep -hoE "warm-up: .*|SIP listening.*|[0-9]+ ms after the JVM started" "$WORK/ringhook.log" | sed 's/^/start-up: /' || true
# Starting a JFR recording retransforms JDK classes for its I/O events, and that JVMTI change throws away
# compiled code: started at the measured run, it set C2 recompiling everything during it (40 s of C2 in a
# 50 s run). So the JFR machinery starts now, before any warm-up, and the profile of the measured runs is a
# second recording, which changes nothing compiled.
[[ -n "$JFR" ]] && jcmd "$RH_PID" JFR.start name=boot settings=profile >/dev/null

# Call records: rows in the store now (PostgreSQL keeps earlier runs' rows), and /metrics sampled all along.
METRICS="http://127.0.0.1:$HTTP_PORT/metrics"
records_rows() {  # rows in the store's calls table
  RINGHOOK_RECORDS_PASSWORD="$RECORDS_PASSWORD" python3 - "$RECORDS_URL" "$RECORDS_USER" <<'EOF'
import os, re, sqlite3, subprocess, sys
url, user = sys.argv[1], sys.argv[2]
if url.startswith("jdbc:sqlite:"):
    path = url[len("jdbc:sqlite:"):].split("?")[0]
    db = sqlite3.connect(path, uri=path.startswith("file:"), timeout=10)
    print(db.execute("SELECT count(*) FROM calls").fetchone()[0])
else:
    m = re.match(r"jdbc:postgresql://([^/:?]+)(?::(\d+))?/([^?]+)", url)
    env = dict(os.environ, PGPASSWORD=os.environ.get("RINGHOOK_RECORDS_PASSWORD", ""), PGCONNECT_TIMEOUT="5")
    out = subprocess.run(["psql", "-X", "-tAq", "-h", m.group(1), "-p", m.group(2) or "5432", "-U", user or "postgres",
                          "-d", m.group(3), "-c", "SELECT count(*) FROM calls"], env=env, capture_output=True, text=True)
    print(out.stdout.strip() if out.returncode == 0 else "?")
EOF
}
if [[ "$RECORDS_URL" != none ]]; then
ROWS0=$(records_rows)
echo "records store: $(sed -n 's/.*records store \(.*\): schema version.*/\1/p' "$WORK/ringhook.log" | head -1) ($ROWS0 rows before the runs)"
python3 "$HERE/loadstats.py" watch "$METRICS" "$WORK/records.samples" 0.5 &
WATCH_PID=$!
fi

SCENARIO="$HERE/uac-load.xml"; MEDIA=()
[[ -z "$HANG" ]] || SCENARIO="$HERE/uac-load-refused.xml"
if [[ "$MODE" == bridged ]]; then
  SCENARIO="$HERE/uac-load-media.xml"
  MEDIA=(-min_rtp_port 30000 -max_rtp_port 39998 -rtp_threadtasks 50)
fi
# sipp_run DIR CALLS: one SIPp run; its files in DIR.
sipp_run() {
  mkdir -p "$1"
  (cd "$1" && "${ON_PEERS[@]}" "$SIPP" -sf "$SCENARIO" -inf "$WORK/numbers.csv" -r "$RATE" -rp 1000 -m "$2" -l "$2" -d "$HOLD_MS" \
     -i 127.0.0.1 -mi 127.0.0.1 -p "$SIPP_PORT" "${MEDIA[@]}" -buff_size 8388608 -nostdin \
     -trace_stat -fd 1 -trace_rtt -rtt_freq 50 -trace_err -timeout "${MAX_SECONDS}s" -timeout_error \
     "127.0.0.1:$SIP_PORT" >sipp.out 2>&1; times >sipp.times) || true
}
ticks() { awk '{print $14 + $15}' "/proc/$RH_PID/stat"; }
pid_ticks() { [[ -n "$1" && -r "/proc/$1/stat" ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
thread_ticks() {  # one line per server thread: name|utime+stime|tid
  for t in /proc/"$RH_PID"/task/*; do
    printf '%s|%s|%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)" "${t##*/}"
  done >"$1"
}
status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$RH_PID/status"; }
live_heap_kb() {  # used heap after a full GC, in KB
  jcmd "$RH_PID" GC.run >/dev/null 2>&1 || true
  jcmd "$RH_PID" GC.heap_info 2>/dev/null | awk '/garbage-first heap|def new generation|PSYoungGen|heap/ && /used/ {
    for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K,?/, "", v); print v; exit } }'
}

HZ=$(getconf CLK_TCK)

rejected() {  # ringhook_calls_rejected_total by reason, one line ("none" for a jar from before it)
  python3 - "$METRICS" <<'EOF'
import re, sys, urllib.request
try:
    text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
except OSError:
    print("?"); sys.exit()
found = re.findall(r'^ringhook_calls_rejected_total\{reason="(\w+)"\} ([\d.eE+]+)$', text, re.M)
print(" ".join("%s=%d" % (r, float(v)) for r, v in found) or "none")
EOF
}

current_calls() {  # SIPp's calls in progress, from the newest line of its statistics file in DIR
  python3 - "$1" <<'EOF'
import csv, glob, sys
files = glob.glob(sys.argv[1] + "/*_.csv")
rows = list(csv.DictReader(open(files[0]), delimiter=";")) if files else []
print(rows[-1]["CurrentCall"] if rows else "")
EOF
}

if (( WARMUP > 0 )); then
  MEASURED_RATE="$RATE"; RATE="${WARMUP_RATE:-$RATE}"
  echo "warm-up: $WARMUP calls at $RATE cps"
  sipp_run "$WORK/warmup" "$WARMUP"
  RATE="$MEASURED_RATE"
  python3 "$HERE/loadstats.py" created "$WORK/warmup" >"$WORK/warmup.created"
  # Let the warm-up's calls end and JAIN-SIP drop their terminated transactions and dialogs, so
  # the live heap measured next is a clean baseline.
  sleep "${SETTLE:-$([[ "$MODE" == ringing ]] && echo 35 || echo 2)}"
fi
HEAP0=$(live_heap_kb)
RSS0=$(status_kb VmRSS)
echo 5 >"/proc/$RH_PID/clear_refs" 2>/dev/null || true   # resets VmHWM (peak RSS) to now
# The profile covers the measured runs only, not start-up or the warm-up.
[[ -n "$JFR" ]] && jcmd "$RH_PID" JFR.start name=load settings=profile filename="$WORK/ringhook.jfr" >/dev/null \
  && jcmd "$RH_PID" JFR.stop name=boot >/dev/null
ROWS=()

# plateau DIR RATE: bridged runs, while every call is up: CPU of the server, the agent and SIPp, and
# what the callers received (rtpwatch.py on a sample of their ports). Started with the SIPp run.
plateau() {
  local dir="$1" rate="$2" up len calls0 calls1 sp r0 a0 s0 t0 r1 a1 s1 t1 heap1 rtp=""
  up=$(python3 -c "print(round($CALLS / $rate + 2, 2))")
  len=$(python3 -c "print(round($HOLD_MS / 1000 - $CALLS / $rate - 4, 2))")
  if ! python3 -c "import sys; sys.exit(0 if $len >= 3 else 1)"; then
    echo "plateau: none (the calls never all overlap for 3 s: make --hold-ms longer than --calls / --rate + 7 s)" >"$dir.plateau"
    return
  fi
  sleep "$up"
  sp=$(pgrep -n -f -- "-p $SIPP_PORT " || true)
  calls0=$(current_calls "$dir"); r0=$(ticks); a0=$(pid_ticks "$AG_PID"); s0=$(pid_ticks "$sp"); t0=$(date +%s.%N)
  if (( WATCH_CALLS > 0 )); then
    # SIPp takes four ports a call (audio and video, RTP and RTCP) from -min_rtp_port up.
    python3 "$HERE/rtpwatch.py" --src 20000-29999 --dst "30000-$((30000 + 4 * WATCH_CALLS - 1))" --seconds "$len" \
      >"$dir.caller_rtp" 2>&1 &
    rtp=$!
  fi
  sleep "$len"
  calls1=$(current_calls "$dir"); r1=$(ticks); a1=$(pid_ticks "$AG_PID"); s1=$(pid_ticks "$sp"); t1=$(date +%s.%N)
  [[ -z "$rtp" ]] || wait "$rtp" || true
  # After the window (a full GC stalls the calls): the live heap with every call still up.
  heap1=$(live_heap_kb)
  python3 - "$calls0" "$calls1" "$r0" "$r1" "$a0" "$a1" "$s0" "$s1" "$t0" "$t1" "$HZ" "$AGENT" "${HEAP0:-0}" "${heap1:-0}" >"$dir.plateau" <<'EOF'
import sys
c0, c1 = (int(x or 0) for x in sys.argv[1:3])
r0, r1, a0, a1, s0, s1 = (float(x) for x in sys.argv[3:9])
t0, t1, hz, agent = float(sys.argv[9]), float(sys.argv[10]), float(sys.argv[11]), sys.argv[12]
heap0, heap1 = float(sys.argv[13] or 0), float(sys.argv[14] or 0)
wall = t1 - t0
calls = min(c0, c1)
server = 100 * (r1 - r0) / hz / wall
print("plateau: %d calls up (SIPp; %d at its start) for %.1f s: server %.0f%% of one core = %.3f%% of a core per bridged call"
      " (%.2f ms CPU per call-second); agent (%s) %s; sipp %.0f%%" % (
          calls, c0, wall, server, server / max(calls, 1), 10 * server / max(calls, 1), agent,
          {"demo": "in-process", "echo": "none (no agent process)"}.get(agent, "%.0f%%" % (100 * (a1 - a0) / hz / wall)),
          100 * (s1 - s0) / hz / wall))
if heap1 > 0:
    print("plateau: live heap %d KB before the runs, %d KB with the calls up = %.1f KB per bridged call" % (
        heap0, heap1, (heap1 - heap0) / max(calls, 1)))
EOF
  [[ -s "$dir.caller_rtp" ]] && cat "$dir.caller_rtp" >>"$dir.plateau"
  return 0
}

# measure R DIR: one measured SIPp run at R cps, its figures printed, one table row kept.
measure() {
  local rate="$1" dir="$2" t0 t1 w0 w1 wh0 wh1 plateau=""
  RATE="$rate"
  t0=$(ticks); w0=$(date +%s.%N); thread_ticks "$dir.threads0"
  wh0=$(awk '{print $14 + $15}' "/proc/$WH_PID/stat")
  if [[ "$MODE" == ringing && "$RINGING_HEAP" != no ]]; then
    # Every call created and none answered yet: the live heap then is what the ringing calls hold.
    ( sleep "$(python3 -c "print(max(0.5, min($CALLS / $rate + 0.7, $LATENCY_MS / 1000 - 0.3)))")"
      echo "$(live_heap_kb) $(current_calls "$dir")" >"$dir.plateau" ) &
    plateau=$!
  fi
  if [[ -n "$DURING" && -z "$DURING_PID" ]]; then
    echo "during the run: $DURING"
    ( bash -c "$DURING" 2>&1 | sed 's/^/during: /' ) &
    DURING_PID=$!
  fi
  local flood_pid="" flood_n flood_r rejected0
  rejected0=$(rejected)
  if [[ -n "$FLOOD" && ! -d "$WORK/flood" ]]; then
    read -r flood_n flood_r <<<"$FLOOD"
    echo "flood: $flood_n new INVITEs at $flood_r/s from 127.0.0.2"
    mkdir -p "$WORK/flood"
    (cd "$WORK/flood" && "${ON_PEERS[@]}" "$SIPP" -sf "$HERE/uac-flood.xml" -inf "$WORK/numbers.csv" -r "$flood_r" -m "$flood_n" \
       -l "$flood_n" -i 127.0.0.2 -mi 127.0.0.2 -p "$FLOOD_PORT" -buff_size 8388608 -nostdin -trace_stat -fd 1 \
       -timeout "${MAX_SECONDS}s" "127.0.0.1:$SIP_PORT" >sipp.out 2>&1 || true) &
    flood_pid=$!
  fi
  echo "run: $MODE, $CALLS calls at $rate cps, hold ${HOLD_MS} ms, webhook $([[ -n "$HANG" ]] && echo "never answering" || echo "latency ${LATENCY_MS} ms"), fail rate $FAIL_RATE, $ORIGINS origin(s)$([[ "$MODE" == bridged ]] && echo ", agent $AGENT")"
  local plateau_pid=""
  if [[ "$MODE" == bridged ]]; then plateau "$dir" "$rate" & plateau_pid=$!; fi
  sipp_run "$dir" "$CALLS"
  [[ -z "$plateau_pid" ]] || wait "$plateau_pid" || true
  t1=$(ticks); w1=$(date +%s.%N); thread_ticks "$dir.threads1"
  wh1=$(awk '{print $14 + $15}' "/proc/$WH_PID/stat")
  [[ -n "$plateau" ]] && wait "$plateau"
  if [[ -n "$flood_pid" ]]; then
    wait "$flood_pid" || true
    echo "flood (SIPp on 127.0.0.2; a refused INVITE counts as a successful SIPp call):"
    python3 "$HERE/loadstats.py" sipp "$WORK/flood" | sed 's/^/  /'
  fi
  echo "rejected by ringhook during the run (503 + Retry-After, /metrics): before: $rejected0; after: $(rejected)"
  echo "--- results at $rate cps (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
  python3 "$HERE/loadstats.py" sipp "$dir" | tee "$dir.stats"
  local cpu wall sipp_cpu
  cpu=$(python3 -c "print(($t1 - $t0) / $HZ)"); wall=$(python3 -c "print($w1 - $w0)")
  sipp_cpu=$(tail -1 "$dir/sipp.times" | awk '{gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4}')
  python3 -c "print('server_cpu: %.1f s over %.1f s wall = %.0f%% of one core, %.2f ms per call' % ($cpu, $wall, 100 * $cpu / $wall, 1000 * $cpu / $CALLS))"
  echo "other_cpu: sipp=${sipp_cpu} s webhook=$(python3 -c "print(round(($wh1 - $wh0) / $HZ, 1))") s"
  [[ ! -s "$dir.plateau" ]] || cat "$dir.plateau"
  python3 "$HERE/loadstats.py" threads "$dir.threads0" "$dir.threads1" "$HZ" | tee "$dir.threads"
  [[ "$RECORDS_URL" == none ]] || python3 "$HERE/loadstats.py" records "$WORK/records.samples" "$w0" "$w1"
  if [[ -n "$plateau" && -s "$dir.plateau" ]]; then
    local heap1 cur
    read -r heap1 cur <"$dir.plateau"
    [[ -n "$cur" ]] || cur=$(awk '/peak_concurrent=/ {sub(/.*peak_concurrent=/, ""); print $1}' "$dir.stats")
    python3 -c "print('ringing: %d calls at once when measured; live heap %d KB before, %d KB with them ringing = %.1f KB per ringing call' % ($cur, ${HEAP0:-0}, $heap1, ($heap1 - ${HEAP0:-0}) / max($cur, 1)))"
  fi
  ROWS+=("$(python3 - "$dir.stats" "$rate" "$cpu" "$wall" "$CALLS" "$dir.threads" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
jit = re.search(r"([\d.]+) s of it JIT", open(sys.argv[6]).read())
rate, cpu, wall, calls = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
def grab(pat, default="-"):
    m = re.search(pat, text)
    return m.group(1) if m else default
print("| %d | %s | %s | %s / %s | %s / %s | %.0f%% | %.2f | %.2f |" % (
    rate, grab(r"achieved_cps: ([\d.]+)"), grab(r"failed=(\d+)"),
    grab(r"invite-180_ms: .*?p50=(\d+)"), grab(r"invite-180_ms: .*?p99=(\d+)"),
    grab(r"invite-(?:200|480)_ms: .*?p50=(\d+)"), grab(r"invite-(?:200|480)_ms: .*?p99=(\d+)"),
    100 * cpu / wall, 1000 * cpu / calls, 1000 * (cpu - float(jit.group(1) if jit else 0)) / calls))
EOF
)")
}

# A rate listed twice (overload, recovery, overload again) gets a directory of its own the second time:
# SIPp's files of two runs in one directory mix their figures.
RUN_DIRS=(); RUN_N=0
for r in ${RATES:-$RATE}; do
  RUN_N=$((RUN_N + 1)); d="$WORK/run-$r"
  [[ -e "$d" ]] && d="$WORK/run-$r-$RUN_N"
  RUN_DIRS+=("$d")
  measure "$r" "$d"
done
[[ -n "$JFR" ]] && jcmd "$RH_PID" JFR.stop name=load >/dev/null
if [[ -n "$DURING_PID" ]]; then wait "$DURING_PID" || true; DURING_PID=""; fi
# Every call SIPp made (warm-up included) should end as one record, except calls whose INVITE never
# reached ringhook (datagrams the kernel dropped under overload: they are among SIPp's failed calls).
# Wait for the writer: until every call is accounted for, or nothing was written for 35 s (longer
# than rtp.timeout, which ends calls whose BYE was lost).
if [[ "$RECORDS_URL" != none ]]; then
MADE=0; FAILED=0
for d in "$WORK/warmup" "$WORK/flood" "${RUN_DIRS[@]}"; do
  [[ -d "$d" ]] || continue
  read -r c f < <(python3 "$HERE/loadstats.py" created "$d")
  MADE=$((MADE + c)); FAILED=$((FAILED + f))
done
T_END=$(date +%s.%N); LAST_WRITTEN=""; SAME=0; PENDING="?"; WRITTEN="?"; DROPPED="?"
for _ in $(seq 1 300); do   # at most 150 s
  read -r PENDING WRITTEN DROPPED < <(python3 "$HERE/loadstats.py" metrics "$METRICS" 2>/dev/null || echo "? ? ?")
  if [[ "$PENDING" == 0 && "$WRITTEN$DROPPED" =~ ^[0-9]+$ ]]; then
    (( WRITTEN + DROPPED >= MADE )) && break
    [[ "$WRITTEN" == "$LAST_WRITTEN" ]] && SAME=$((SAME + 1)) || SAME=0
    (( SAME >= 70 )) && break
  fi
  LAST_WRITTEN="$WRITTEN"
  sleep 0.5
done
echo "records after the runs ($(python3 -c "print(round($(date +%s.%N) - $T_END, 1))") s after the last SIPp run ended): written=$WRITTEN dropped=$DROPPED pending=$PENDING (GET /metrics)"
python3 "$HERE/loadstats.py" records "$WORK/records.samples" 0 "$(date +%s)" | sed 's/during the run/since start/'
ROWS1=$(records_rows)
ADDED=$([[ "$ROWS0$ROWS1" =~ ^[0-9]+$ ]] && echo $((ROWS1 - ROWS0)) || echo "?")
CHECK=MISMATCH
# INVITEs refused at admission (503) leave no record by design.
REJECTED=$(rejected | grep -oE '=[0-9]+' | tr -d = | paste -sd+ -)
REJECTED=$(( ${REJECTED:-0} ))
MADE=$((MADE - REJECTED))
if [[ "$ADDED" == "$WRITTEN" && "$DROPPED" == 0 ]]; then
  if [[ "$ADDED" == "$MADE" ]]; then CHECK=ok
  elif (( ADDED < MADE && ADDED >= MADE - FAILED )); then
    CHECK="ok for the calls that reached ringhook: $((MADE - ADDED)) of SIPp's $FAILED failed calls left no record (their INVITE never got through)"
  fi
fi
echo "records_check: calls made (SIPp, warm-up and flood included, $REJECTED refused at admission left out)=$MADE of which failed=$FAILED; rows added to the store=$ADDED written=$WRITTEN dropped=$DROPPED: $CHECK"
fi
kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=""
WEBHOOK_SERIES=(ringhook_calls_active ringhook_calls_ringing ringhook_webhook_pool_waiters ringhook_webhook_connections
  ringhook_webhook_streams ringhook_webhook_connections_opened_total ringhook_webhook_attempts_total)
webhook_series() {  # "name=value ..." of WEBHOOK_SERIES now
  local values; read -r -a values < <(python3 "$HERE/loadstats.py" series "$METRICS" "${WEBHOOK_SERIES[@]}" 2>/dev/null || echo)
  for i in "${!WEBHOOK_SERIES[@]}"; do printf '%s=%s ' "${WEBHOOK_SERIES[$i]#ringhook_}" "${values[$i]:-?}"; done
}
if [[ "$LEAK_CHECK" == yes ]]; then
  # Nothing may outlive the calls: no call object, no waiting attempt, no connection beyond the idle
  # keep-alive ones (closed after 30 s idle), and the live heap back near where it was.
  T_WAIT=$(date +%s)
  while (( $(date +%s) - T_WAIT < 120 )); do
    read -r ACTIVE _ < <(python3 "$HERE/loadstats.py" series "$METRICS" ringhook_calls_active 2>/dev/null || echo "?")
    [[ "$ACTIVE" == 0 ]] && break
    sleep 1
  done
  echo "leak_check: $(( $(date +%s) - T_WAIT )) s after the last run, $(webhook_series)"
  sleep 31
  echo "leak_check: 31 s later (idle connections closed), $(webhook_series)live heap $(live_heap_kb) KB (before the runs ${HEAP0:-?} KB)"
fi
echo "server_rss_kb: before the runs=$RSS0 peak=$(status_kb VmHWM); live heap before=${HEAP0:-?} KB (ringhook $(basename "$JAR"), -Xmx$HEAP, $(nproc) cores)"
if [[ "$MODE" == bridged ]]; then
  # Only the measured runs' calls: after ringhook's start-up warm-up line (its synthetic calls come before
  # it), and then the load warm-up's RTP lines come first.
  awk 'FNR == NR { if (/warm-up: /) last = FNR; next } FNR > last' "$WORK/ringhook.log" "$WORK/ringhook.log" \
    | grep "RtpStats\[" | tail -n +$((WARMUP + 1)) >"$WORK/rtp-run.log" || true
  python3 "$HERE/loadstats.py" rtp "$WORK/rtp-run.log" $(( HOLD_MS / 20 ))
fi
echo "webhook (ringhook's /metrics): $(webhook_series)"
kill "$RH_PID" 2>/dev/null && wait "$RH_PID" 2>/dev/null || true; RH_PID=""
kill "$WH_PID" 2>/dev/null && wait "$WH_PID" 2>/dev/null || true; WH_PID=""
grep "webhook summary" "$WORK/webhook.log" || true
if [[ -n "$AG_PID" ]]; then
  kill "$AG_PID" 2>/dev/null && wait "$AG_PID" 2>/dev/null || true; AG_PID=""
  grep "agent summary" "$WORK/agent.log" || true
else
  echo "agent summary: none: no agent process (--agent $AGENT is built into ringhook)"
fi
echo "| offered cps | achieved cps | failed | INVITE→180 p50 / p99 ms | INVITE→$([[ -n "$HANG" ]] && echo 480 || echo 200) p50 / p99 ms | server CPU (of one core) | CPU ms per call | without JIT |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
if [[ -n "$JFR" && -f "$WORK/ringhook.jfr" ]]; then
  python3 "$HERE/loadstats.py" jfr "$WORK/ringhook.jfr" 25
fi
