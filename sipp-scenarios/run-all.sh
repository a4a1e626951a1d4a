#!/usr/bin/env bash
# Runs every SIPp scenario in scenarios/ against a ringhook and prints PASS, FAIL or SKIP for each.
#
#   SIPP=/path/to/sipp sipp-scenarios/run-all.sh HOST[:PORT]        a running ringhook
#   SIPP=/path/to/sipp sipp-scenarios/run-all.sh --local [JAR]       starts one here (loopback only)
#
# A ringhook somewhere else needs numbers that behave as each scenario expects; name them with
# (defaults are the numbers of local.yaml, which --local uses):
#   RH_NUMBER          connects at once (no webhook, or a fast one)        +15550001000
#   RH_SLOW_NUMBER     webhook slower than 1 s, for uac-cancel-while-ringing  +15550001001
#   RH_REFUSED_NUMBER  webhook fails every attempt, failure response 480     +15550001002
#   RH_HANGUP_NUMBER   its agent hangs up by itself within 60 s               +15550001003
# Other settings: RH_LOCAL_IP (SIPp's address, default 127.0.0.1), RH_AUDIO_MS (uac-basic's audio,
# default 5000), RINGHOOK_LOG (the server's log file: uac-dtmf then also checks that the 12 digits
# arrived), RH_ONLY (space-separated scenario names to run), RH_KEEP (keep the work directory).
# Exit code: 0 when nothing failed. SIPp is never built or shipped by this project: $SIPP points
# at one you built (with PCAP support for uac-dtmf, and as root or with CAP_NET_RAW).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCENARIOS="$HERE/scenarios"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

[[ $# -ge 1 ]] || usage
[[ -n "${SIPP:-}" && -x "${SIPP}" ]] || { echo "run-all: set SIPP to the sipp binary (now '${SIPP:-}')" >&2; exit 2; }

LOCAL_IP="${RH_LOCAL_IP:-127.0.0.1}"
AUDIO_MS="${RH_AUDIO_MS:-5000}"
NUMBER="${RH_NUMBER:-+15550001000}"
SLOW_NUMBER="${RH_SLOW_NUMBER:-+15550001001}"
REFUSED_NUMBER="${RH_REFUSED_NUMBER:-+15550001002}"
HANGUP_NUMBER="${RH_HANGUP_NUMBER:-+15550001003}"
WORK="$(mktemp -d /tmp/ringhook-sipp.XXXXXX)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  [[ -n "${RH_KEEP:-}" ]] && echo "run-all: work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [[ "$1" == "--local" ]]; then
  JAR="${2:-$HERE/../server/target/ringhook.jar}"
  [[ -f "$JAR" ]] || { echo "run-all: no $JAR (build it: mvn -o -q -B -DskipTests package)" >&2; exit 2; }
  SIP_PORT="$(free_port)"; WEBHOOK_PORT="$(free_port)"; HTTP_PORT="$(free_port)"; AGENT_PORT="$(free_port)"
  python3 "$HERE/bench/webhook_server.py" --port "$WEBHOOK_PORT" >"$WORK/webhook.log" 2>&1 &
  PIDS+=($!)
  python3 "$HERE/bench/agent_server.py" --port "$AGENT_PORT" >"$WORK/agent.log" 2>&1 &
  PIDS+=($!)
  sed -e "s/@SIP_PORT@/$SIP_PORT/; s/@WEBHOOK_PORT@/$WEBHOOK_PORT/g; s/@HTTP_PORT@/$HTTP_PORT/; s/@AGENT_PORT@/$AGENT_PORT/" \
    "$HERE/local.yaml" >"$WORK/ringhook.yaml"
  RINGHOOK_LOG="$WORK/ringhook.log"
  java -jar "$JAR" --config "$WORK/ringhook.yaml" >"$RINGHOOK_LOG" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q "ready" "$RINGHOOK_LOG" 2>/dev/null && break; sleep 0.2; done
  grep -q "ready" "$RINGHOOK_LOG" || { echo "run-all: ringhook did not start:" >&2; cat "$RINGHOOK_LOG" >&2; exit 1; }
  TARGET="127.0.0.1:$SIP_PORT"
else
  TARGET="$1"
fi

# run NAME NUMBER [extra sipp args...]: one call of scenario NAME; sets RC and leaves its files in $WORK/NAME.
run() {
  local name="$1" number="$2"; shift 2
  local dir="$WORK/$name"
  mkdir -p "$dir"
  (cd "$dir" && timeout 120 "$SIPP" -sf "$SCENARIOS/$name.xml" -s "$number" -m 1 -l 1 \
      -i "$LOCAL_IP" -mi "$LOCAL_IP" -nostdin -trace_err -trace_msg "$@" "$TARGET" >sipp.out 2>&1) && RC=0 || RC=$?
}

PASSED=0; FAILED=0; SKIPPED=0
report() {  # report NAME VERDICT DETAIL
  printf '%-26s %-4s %s\n' "$1" "$2" "$3"
  case "$2" in PASS) PASSED=$((PASSED+1));; FAIL) FAILED=$((FAILED+1));; *) SKIPPED=$((SKIPPED+1));; esac
}
sipp_reason() {  # the first error SIPp logged, for a FAIL line
  local f; f="$(ls "$WORK/$1"/*_errors.log 2>/dev/null | head -1)"
  [[ -n "$f" ]] && grep -v '^The following events' "$f" | head -1 | cut -f3- | sed 's/^[0-9.]*: //' | cut -c1-160 || echo "see $WORK/$1/sipp.out"
}
selected() { [[ -z "${RH_ONLY:-}" ]] || [[ " $RH_ONLY " == *" $1 "* ]]; }

echo "run-all: ringhook at $TARGET, SIPp $("$SIPP" -v 2>/dev/null | grep -o 'v[0-9][^ ]*' | head -1)"

if selected options-ping; then
  run options-ping "$NUMBER"
  [[ $RC -eq 0 ]] && report options-ping PASS "200 OK with Allow: INVITE" \
    || report options-ping FAIL "sipp exit $RC: $(sipp_reason options-ping)"
fi

if selected uac-basic; then
  run uac-basic "$NUMBER" -d "$AUDIO_MS" -rtpcheck_debug
  echoed=$(grep -c 'SIPP SUCCESS RECV' "$WORK/uac-basic/debugafile" 2>/dev/null || true)
  sent=$(grep -c 'SIPP SUCCESS SEND' "$WORK/uac-basic/debugafile" 2>/dev/null || true)
  if [[ $RC -ne 0 ]]; then
    report uac-basic FAIL "sipp exit $RC$([[ $RC -eq 253 ]] && echo ' (echoed audio differs from sent)'): $(sipp_reason uac-basic)"
  elif [[ ${echoed:-0} -lt $((sent / 2)) ]]; then
    report uac-basic FAIL "only ${echoed:-0} of ${sent:-0} RTP packets came back"
  else
    report uac-basic PASS "100/180/200/ACK/BYE; RTP sent $sent, echoed back $echoed, payload matched"
  fi
fi

if selected uac-cancel-while-ringing; then
  run uac-cancel-while-ringing "$SLOW_NUMBER"
  [[ $RC -eq 0 ]] && report uac-cancel-while-ringing PASS "180, CANCEL, 200 and 487, ACK" \
    || report uac-cancel-while-ringing FAIL "sipp exit $RC: $(sipp_reason uac-cancel-while-ringing)"
fi

if selected uac-webhook-refused; then
  run uac-webhook-refused "$REFUSED_NUMBER"
  [[ $RC -eq 0 ]] && report uac-webhook-refused PASS "180 then 480, never answered" \
    || report uac-webhook-refused FAIL "sipp exit $RC: $(sipp_reason uac-webhook-refused)"
fi

# How the server's log shows a digit reaching the agent: the built-in demo agent ("pressed 1"),
# or the older echo bridge ("DTMF '1'").
DIGIT_LINE="pressed [0-9*#A-D]\$|DTMF '"
if selected uac-dtmf; then
  before=0
  [[ -n "${RINGHOOK_LOG:-}" && -f "${RINGHOOK_LOG}" ]] && before=$(grep -cE "$DIGIT_LINE" "$RINGHOOK_LOG" || true)
  run uac-dtmf "$NUMBER"
  if [[ $RC -ne 0 ]]; then
    report uac-dtmf FAIL "sipp exit $RC: $(sipp_reason uac-dtmf)"
  elif [[ -n "${RINGHOOK_LOG:-}" && -f "${RINGHOOK_LOG}" ]]; then
    sleep 0.5
    digits=$(( $(grep -cE "$DIGIT_LINE" "$RINGHOOK_LOG" || true) - before ))
    [[ $digits -eq 12 ]] && report uac-dtmf PASS "telephone-event answered; server saw 12 of 12 digits" \
      || report uac-dtmf FAIL "server log shows $digits of 12 digits"
  else
    report uac-dtmf PASS "telephone-event answered, 12 digits sent (set RINGHOOK_LOG to check arrival)"
  fi
fi

if selected uac-agent-hangup; then
  run uac-agent-hangup "$HANGUP_NUMBER"
  [[ $RC -eq 0 ]] && report uac-agent-hangup PASS "BYE from ringhook answered with 200" \
    || report uac-agent-hangup FAIL "sipp exit $RC: $(sipp_reason uac-agent-hangup)"
fi

echo "run-all: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[[ $FAILED -eq 0 ]]
