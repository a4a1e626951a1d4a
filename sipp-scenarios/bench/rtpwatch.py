#!/usr/bin/env python3
"""Watches the RTP the callers receive, as the callers' side sees it (load.sh bridged), and prints
how evenly it came: the inter-packet gap percentiles and the share of packets late for their slot.

    rtpwatch.py --src 20000-29999 --dst 30000-30199 --seconds 30

Captures on the loopback interface (AF_PACKET, so it needs root or CAP_NET_RAW; a kernel filter
keeps only UDP from the --src ports to the --dst ports, so a port window of the callers' range is a
sample of the calls that costs little), with the kernel's receive timestamps. For each stream (one
caller port, one SSRC) in arrival order:
  gap   the time between two consecutive packets (20 ms when paced well);
  late  a packet is late when it arrives more than --late-ms (10) after its slot, its slot being
        the stream's clock (RTP timestamp / 8000 Hz) laid over the arrival of its earliest packet.
Prints one line: "caller_rtp: streams=S packets=N gap_ms p50=.. p99=.. p99.9=.. max=.. late=K (x.xxx%)".
"""
import argparse
import ctypes
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loadstats import percentile  # noqa: E402  (the harness's one percentile)

SO_ATTACH_FILTER = 26
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4


def bpf(src_lo, src_hi, dst_lo, dst_hi):
    """Classic BPF: IPv4, UDP, not a fragment, source and destination port within the ranges."""
    drop = 14
    prog = [
        (0x28, 0, 0, 12),                    # 0 ldh [12] ethertype
        (0x15, 0, drop - 2, 0x0800),         # 1 jeq IPv4
        (0x30, 0, 0, 23),                    # 2 ldb [23] protocol
        (0x15, 0, drop - 4, 17),             # 3 jeq UDP
        (0x28, 0, 0, 20),                    # 4 ldh [20] fragment offset
        (0x45, drop - 6, 0, 0x1FFF),         # 5 jset -> drop
        (0xB1, 0, 0, 14),                    # 6 ldxb 4*([14]&0xf)
        (0x48, 0, 0, 14),                    # 7 ldh [x+14] source port
        (0x35, 0, drop - 9, src_lo),         # 8 jge
        (0x25, drop - 10, 0, src_hi),        # 9 jgt -> drop
        (0x48, 0, 0, 16),                    # 10 ldh [x+16] destination port
        (0x35, 0, drop - 12, dst_lo),        # 11 jge
        (0x25, drop - 13, 0, dst_hi),        # 12 jgt -> drop
        (0x06, 0, 0, 256),                   # 13 ret: keep 256 bytes
        (0x06, 0, 0, 0),                     # 14 drop
    ]
    raw = b"".join(struct.pack("HBBI", *insn) for insn in prog)
    buf = ctypes.create_string_buffer(raw)
    return buf, struct.pack("HL", len(prog), ctypes.addressof(buf))


def span(text):
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default="20000-29999", help="ringhook's RTP ports")
    ap.add_argument("--dst", default="30000-30199", help="the callers' ports to watch (a sample)")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--late-ms", type=float, default=10)
    ap.add_argument("--iface", default="lo")
    a = ap.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    keep, fprog = bpf(*span(a.src), *span(a.dst))
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((a.iface, 0))
    s.settimeout(0.5)
    streams = {}
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            data, anc, _, addr = s.recvmsg(256, 64)
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING:
            continue  # loopback shows each packet twice: as sent and as received
        t = None
        for level, kind, value in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", value[:16])
                t = sec * 1e3 + nsec / 1e6
        if t is None:
            t = time.time() * 1e3
        ihl = (data[14] & 0x0F) * 4
        udp = 14 + ihl
        rtp = udp + 8
        if len(data) < rtp + 12 or data[rtp] >> 6 != 2:
            continue
        dport = struct.unpack_from("!H", data, udp + 2)[0]
        ts, ssrc = struct.unpack_from("!II", data, rtp + 4)
        streams.setdefault((dport, ssrc), []).append((t, ts))
    gaps = []
    late = packets = 0
    for samples in streams.values():
        packets += len(samples)
        for (t0, _), (t1, _) in zip(samples, samples[1:]):
            gaps.append(t1 - t0)
        base_t, base_ts = samples[0]
        # The slot of each packet from its RTP timestamp (wrap-safe), against the earliest arrival.
        offsets = [t - ((ts - base_ts) & 0xFFFFFFFF) / 8.0 for t, ts in samples]
        first = min(offsets)
        late += sum(1 for o in offsets if o - first > a.late_ms)
    gaps.sort()
    print("caller_rtp: streams=%d packets=%d gap_ms p50=%.1f p99=%.1f p99.9=%.1f max=%.1f late=%d (%.3f%% more than %g ms "
          "behind their slot)" % (len(streams), packets, percentile(gaps, 50), percentile(gaps, 99),
                                  percentile(gaps, 99.9), gaps[-1] if gaps else float("nan"), late,
                                  100.0 * late / max(packets, 1), a.late_ms))


if __name__ == "__main__":
    sys.exit(main())
