#!/usr/bin/env python3
"""Reads what one load.sh run left behind and prints its figures.

    loadstats.py sipp DIR            calls, failures, achieved rate, INVITE->180 / INVITE->200 (/ ->480) percentiles
    loadstats.py rtp LOG EXPECTED    the server's RtpStats lines summed (bridged calls): packets, lost, late,
                                     agent audio dropped (queue full; stale: the pacer's latency bound)
    loadstats.py jfr FILE.jfr [N]    where the CPU went: the top N frames of jdk.ExecutionSample, by method
                                     and by layer (ringhook, JAIN-SIP, Netty, JDK, logging)
    loadstats.py threads BEFORE AFTER HZ   CPU seconds per server thread group between two snapshots
                                     of /proc/PID/task (lines "name|ticks|tid"), JIT and GC included
    loadstats.py created DIR         calls SIPp created in the run in DIR, and how many of them failed
    loadstats.py watch URL OUT [S]   polls ringhook's /metrics at URL every S seconds (0.5) until killed,
                                     one line "epoch pending written dropped" a poll, appended to OUT
    loadstats.py records OUT T0 T1   from watch's lines: records written and dropped between T0 and T1
                                     (epoch seconds) and the peak of pending
    loadstats.py metrics URL         ringhook's records figures now: "pending written dropped"
    loadstats.py series URL NAME...  the named series of ringhook's /metrics now, each summed over its labels
"""
import collections
import csv
import glob
import json
import os
import re
import subprocess
import sys
import time
import urllib.request


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def sipp(d):
    stat = [f for f in glob.glob(os.path.join(d, "*_.csv"))]
    rtt = [f for f in glob.glob(os.path.join(d, "*_rtt.csv"))]
    if not stat:
        sys.exit("no SIPp statistics (*_.csv) in " + d)
    with open(stat[0], newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    last = rows[-1]

    def cum(name):
        return int(float(last.get(name + "(C)", "0") or 0))

    created = cum("OutgoingCall")
    ok = cum("SuccessfulCall")
    failed = cum("FailedCall")
    peak_current = max(int(r.get("CurrentCall", "0") or 0) for r in rows)
    samples = collections.defaultdict(list)
    for f in rtt:
        with open(f) as fh:
            for line in fh:
                parts = line.strip().split(";")
                if len(parts) == 3 and parts[0][:1].isdigit():
                    samples[parts[2]].append((float(parts[0]), float(parts[1])))
    print("calls: created=%d successful=%d failed=%d peak_concurrent=%d" % (created, ok, failed, peak_current))
    answered = sorted(t for t, _ in samples.get("invite-200", []))
    if len(answered) > 1 and answered[-1] > answered[0]:
        print("achieved_cps: %.1f (calls answered per second, first to last 200 OK)"
              % ((len(answered) - 1) / ((answered[-1] - answered[0]) / 1000.0)))
    offered = [t for t, _ in samples.get("invite-180", [])]
    for name in ("invite-180", "invite-200", "invite-480"):
        v = sorted(ms for _, ms in samples.get(name, []))
        if v:
            print("%s_ms: n=%d p50=%.0f p90=%.0f p99=%.0f p99.9=%.0f max=%.0f" % (
                name, len(v), percentile(v, 50), percentile(v, 90), percentile(v, 99), percentile(v, 99.9), v[-1]))
    failures = collections.Counter()
    for f in glob.glob(os.path.join(d, "*_errors.log")):
        with open(f, errors="replace") as fh:
            for line in fh:
                m = re.search(r"(while expecting '\d+'[^,]*), received '([^']{0,20})", line)
                if m:
                    failures["%s, got %s" % (m.group(1), m.group(2).strip())] += 1
                elif "timeout" in line.lower() or "Aborting" in line:
                    failures[re.sub(r"^.*?: ", "", line.strip())[:90]] += 1
    for reason, n in failures.most_common(5):
        print("failure: %d x %s" % (n, reason))


RTP = re.compile(r"RtpStats\[(.*?)\]")


def rtp(log, expected_per_call):
    totals = collections.Counter()
    calls = 0
    short = 0
    with open(log, errors="replace") as fh:
        for line in fh:
            m = RTP.search(line)
            if not m:
                continue
            calls += 1
            fields = dict(kv.split("=") for kv in m.group(1).split(", "))
            for k, v in fields.items():
                totals[k] += int(v)
            if int(fields.get("packetsReceived", 0)) < 0.95 * expected_per_call:
                short += 1
    exp = expected_per_call * calls
    print("rtp: calls=%d expected_per_direction=%d received=%d sent=%d lost=%d late=%d duplicates=%d "
          "outbound_dropped_bytes=%d outbound_stale_bytes=%d calls_below_95pct=%d" % (
              calls, exp, totals["packetsReceived"], totals["packetsSent"], totals["lost"], totals["late"],
              totals["duplicates"], totals["outboundDropped"], totals["outboundStale"], short))


LAYERS = [("io.ringhook.", "ringhook"), ("gov.nist.", "JAIN-SIP"), ("javax.sip.", "JAIN-SIP"),
          ("android.gov.nist.", "JAIN-SIP"), ("io.netty.", "Netty"), ("ch.qos.logback.", "logging"),
          ("org.slf4j.", "logging"), ("com.fasterxml.", "Jackson")]


def layer(method):
    for prefix, name in LAYERS:
        if method.startswith(prefix):
            return name
    return "JDK/other"


def jfr(path, top=25):
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", path],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    by_method = collections.Counter()
    by_layer = collections.Counter()
    by_thread = collections.Counter()
    by_owner = collections.Counter()
    for e in events:
        frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
        if not frames:
            continue
        names = ["%s.%s" % (f["method"]["type"]["name"].replace("/", "."), f["method"]["name"]) for f in frames]
        by_method[names[0]] += 1
        # The layer is that of the first frame that is not JDK code: who asked for the work.
        owner = next((n for n in names if layer(n) != "JDK/other"), names[0])
        by_layer[layer(owner)] += 1
        by_owner[owner] += 1
        thread = e["values"].get("sampledThread", {}).get("javaName") or "?"
        by_thread[re.sub(r"[-#]?\d+$", "-N", thread)] += 1
    n = sum(by_method.values()) or 1
    print("jfr: %d execution samples" % n)
    for name, c in by_layer.most_common():
        print("  layer %-10s %5.1f%%" % (name, 100.0 * c / n))
    for name, c in by_thread.most_common(8):
        print("  thread %-40s %5.1f%%" % (name[:40], 100.0 * c / n))
    for name, c in by_method.most_common(top):
        print("  top %5.1f%%  %s" % (100.0 * c / n, name))
    for name, c in by_owner.most_common(top):
        print("  first non-JDK frame %5.1f%%  %s" % (100.0 * c / n, name))


def threads(before, after, hz):
    def load(path):
        out = {}
        with open(path, errors="replace") as fh:
            for line in fh:
                name, ticks, tid = line.rstrip("\n").rsplit("|", 2)
                if ticks:  # empty: the thread ended while it was listed (e.g. an idle JIT compiler thread)
                    out[tid] = (name, int(ticks))
        return out

    b, a = load(before), load(after)
    groups = collections.Counter()
    for tid, (name, ticks) in a.items():
        delta = ticks - b.get(tid, (name, 0))[1]
        groups[re.sub(r"\d+$", "N", name)] += delta
    total = sum(groups.values()) or 1
    jit = sum(t for name, t in groups.items() if "CompilerThre" in name)
    print("threads: %.1f s CPU in total, %.1f s of it JIT compilation, %.1f s the rest" % (
        total / hz, jit / hz, (total - jit) / hz))
    for name, t in groups.most_common(12):
        if t:
            print("  %-28s %6.1f s %5.1f%%" % (name, t / hz, 100.0 * t / total))

    records = sum(t for name, t in groups.items() if name.startswith("ringhook-record"))
    print("  ringhook-records* (writer, pool) %6.1f s %5.1f%%" % (records / hz, 100.0 * records / total))


def created(d):
    stat = glob.glob(os.path.join(d, "*_.csv"))
    rows = list(csv.DictReader(open(stat[0], newline=""), delimiter=";")) if stat else []
    last = rows[-1] if rows else {}
    print(" ".join(str(int(float(last.get(k, "0") or 0))) for k in ("OutgoingCall(C)", "FailedCall(C)")))


RECORD_METRICS = ("ringhook_records_pending", "ringhook_records_written_total", "ringhook_records_dropped_total")


def scrape(url):
    """pending, written, dropped from one GET of ringhook's Prometheus text (None each when absent)."""
    return tuple(None if v == "?" else int(float(v)) for v in series(url, RECORD_METRICS))


def series(url, names):
    """The value of each named series in one GET of /metrics, summed over its labels; ? when absent."""
    with urllib.request.urlopen(url, timeout=5) as r:
        text = r.read().decode("utf-8", "replace")
    found = {}
    for line in text.splitlines():
        name = re.split(r"[ {]", line, 1)[0]
        if name in names:
            found[name] = found.get(name, 0) + float(line.rsplit(" ", 1)[1])
    return ["%g" % found[n] if n in found else "?" for n in names]


def watch(url, out, interval):
    with open(out, "a") as fh:
        while True:
            try:
                p, w, d = scrape(url)
                fh.write("%.3f %s %s %s\n" % (time.time(), p, w, d))
                fh.flush()
            except Exception:  # the server is starting or stopping: try again
                pass
            time.sleep(interval)


def records(out, t0, t1):
    samples = []
    with open(out) as fh:
        for line in fh:
            t, p, w, d = line.split()
            if "None" not in (p, w, d):
                samples.append((float(t), int(p), int(w), int(d)))
    before = [s for s in samples if s[0] <= t0]
    inside = [s for s in samples if t0 <= s[0] <= t1]
    if not inside:
        print("records: no /metrics sample in the run")
        return
    first = before[-1] if before else inside[0]
    last = inside[-1]
    print("records (/metrics every 0.5 s): written +%d, dropped +%d during the run; pending peak %d, %d at its end (%d samples)" % (
        last[2] - first[2], last[3] - first[3], max(s[1] for s in inside), last[1], len(inside)))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "sipp":
        sipp(sys.argv[2])
    elif cmd == "rtp":
        rtp(sys.argv[2], int(sys.argv[3]))
    elif cmd == "threads":
        threads(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif cmd == "created":
        created(sys.argv[2])
    elif cmd == "watch":
        watch(sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.5)
    elif cmd == "records":
        records(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "series":
        print(" ".join(series(sys.argv[2], sys.argv[3:])))
    elif cmd == "metrics":
        print(" ".join(str(v) for v in scrape(sys.argv[2])))
    elif cmd == "jfr":
        jfr(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 25)
    else:
        sys.exit(__doc__)
