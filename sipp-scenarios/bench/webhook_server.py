#!/usr/bin/env python3
"""A tiny inbound-call webhook for scenario runs and load tests: asyncio, HTTP/1.1 keep-alive.

Answers every POST with 200 {"dynamic_variables": {...}} after a latency, or fails a share of
them. Query parameters on the URL override the defaults per number, so one server plays every
behaviour a ringhook configuration points at:

    /inbound                       the defaults below
    /inbound?latency_ms=8000       slow (a ringing test)
    /inbound?fail_rate=1           always fails with --fail-status (a refused number)
    /inbound?status=503            always answers 503
    /inbound?hang=1                reads the request and never answers (a dead CRM)

It never blocks: each request waits on the event loop, so thousands can be in flight at once.
On SIGTERM/SIGINT it prints one summary line (requests, failures, peak in flight) and exits.
"""
import argparse
import asyncio
import gc
import json
import random
import signal
import sys
import time
from urllib.parse import parse_qs, urlsplit

STATS = {"requests": 0, "failed": 0, "in_flight": 0, "peak_in_flight": 0, "connections": 0,
         "peak_connections": 0, "open_connections": 0}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    p.add_argument("--latency-ms", type=int, default=0, help="delay before each answer")
    p.add_argument("--fail-rate", type=float, default=0.0, help="share of requests that fail, 0..1")
    p.add_argument("--fail-status", type=int, default=500, help="HTTP status of a failed request")
    p.add_argument("--hang", action="store_true",
                   help="read every request and never answer: each attempt runs into ringhook's deadline")
    p.add_argument("--extra-ports", type=int, default=0,
                   help="also listen on the next N ports (port+1..port+N): separate origins for the client's "
                        "per-origin connection pool")
    a = p.parse_args()
    if not 0.0 <= a.fail_rate <= 1.0:
        p.error("--fail-rate must be within 0..1")
    return a


ARGS = None
LATE_MS = []
GC_MS = []  # each cyclic-GC pass's pause, ms (see collect_when_idle)
_gc_start = [0.0]
OK_BODY = json.dumps({"dynamic_variables": {"customer": "load-test", "tier": "gold"}}).encode()


def _gc_timer(phase, info):
    if phase == "start":
        _gc_start[0] = time.perf_counter()
    else:
        GC_MS.append(((time.perf_counter() - _gc_start[0]) * 1000.0, info.get("generation", -1)))


async def handle(reader, writer):
    STATS["connections"] += 1
    STATS["open_connections"] += 1
    STATS["peak_connections"] = max(STATS["peak_connections"], STATS["open_connections"])
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            close = False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value.strip())
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            if length:
                await reader.readexactly(length)
            status, body = await answer(method, target, reader)
            reason = {200: "OK", 404: "Not Found"}.get(status, "Status")
            writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n"
                         % (status, reason.encode(), len(body), b"Connection: close\r\n" if close else b"")
                         + body)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        STATS["open_connections"] -= 1
        writer.close()


async def answer(method, target, reader):
    q = parse_qs(urlsplit(target).query)

    def opt(name, conv, default):
        return conv(q[name][0]) if name in q else default

    latency = opt("latency_ms", int, ARGS.latency_ms)
    fail_rate = opt("fail_rate", float, ARGS.fail_rate)
    forced = opt("status", int, None)
    if opt("hang", int, 1 if ARGS.hang else 0):
        STATS["requests"] += 1
        while await reader.read(65536):  # until ringhook gives up and closes the connection
            pass
        raise ConnectionError("closed by the client")
    STATS["requests"] += 1
    STATS["in_flight"] += 1
    STATS["peak_in_flight"] = max(STATS["peak_in_flight"], STATS["in_flight"])
    try:
        if latency > 0:
            start = asyncio.get_running_loop().time()
            await asyncio.sleep(latency / 1000.0)
            # How much later than asked this process got round to answering (its event loop busy with
            # thousands of connections): part of its own delay, not ringhook's. Over the process's life,
            # load.sh's warm-up calls included; parsing the request and writing the answer are not in it.
            LATE_MS.append((asyncio.get_running_loop().time() - start) * 1000.0 - latency)
    finally:
        STATS["in_flight"] -= 1
    if method != "POST":
        return 404, b""
    if forced is not None and not 200 <= forced <= 299:
        STATS["failed"] += 1
        return forced, b'{"error":"forced"}'
    if fail_rate > 0 and random.random() < fail_rate:
        STATS["failed"] += 1
        return ARGS.fail_status, b'{"error":"injected failure"}'
    return 200, OK_BODY


async def collect_when_idle():
    """Python's cyclic GC, left automatic, makes a full pass over every live object now and then:
    with 5000 connections open that stalled this loop for 122 ms in one run, every answer due in that
    time late by as much, and that lateness counted in ringhook's INVITE->200. So automatic collection
    is off while the server runs, and a pass is made only when no answer is waiting and no request came
    in for a second (with 5000 idle keep-alive connections a pass still takes 100-160 ms)."""
    seen = -1
    while True:
        await asyncio.sleep(1.0)
        if STATS["in_flight"] == 0 and STATS["requests"] == seen:
            gc.collect()
        seen = STATS["requests"]


async def main():
    gc.disable()
    idle_gc = asyncio.create_task(collect_when_idle())
    server = await asyncio.start_server(handle, ARGS.host, ARGS.port, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    extra = [await asyncio.start_server(handle, ARGS.host, port + i, backlog=4096)
             for i in range(1, ARGS.extra_ports + 1)]
    print("webhook listening on %s:%d%s latency=%dms fail_rate=%.3f%s" % (
        ARGS.host, port, "..%d" % (port + ARGS.extra_ports) if extra else "", ARGS.latency_ms, ARGS.fail_rate,
        " never answering" if ARGS.hang else ""), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    idle_gc.cancel()
    for e in extra:
        e.close()
    print("webhook summary: requests=%(requests)d failed=%(failed)d peak_in_flight=%(peak_in_flight)d "
          "connections=%(connections)d peak_open_connections=%(peak_connections)d "
          "open_at_exit=%(open_connections)d" % STATS + late_summary(), flush=True)


def late_summary():
    out = ""
    if LATE_MS:
        late = sorted(LATE_MS)
        at = lambda q: late[min(len(late) - 1, int(q * len(late)))]
        out += " answer_late_ms p50=%.0f p99=%.0f max=%.0f" % (at(0.5), at(0.99), late[-1])
    if GC_MS:
        full = [ms for ms, g in GC_MS if g == 2]
        out += " gc_passes=%d gc_full=%d gc_max_ms=%.1f gc_full_max_ms=%.1f gc_total_ms=%.0f" % (
            len(GC_MS), len(full), max(ms for ms, _ in GC_MS), max(full, default=0.0), sum(ms for ms, _ in GC_MS))
    return out


if __name__ == "__main__":
    ARGS = parse_args()
    gc.callbacks.append(_gc_timer)
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
