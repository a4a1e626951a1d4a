#!/usr/bin/env python3
"""Prints the first of COUNT consecutive ports, free for TCP and UDP on 127.0.0.1, searching from
START in steps of 100 (the load harnesses' servers, SIPp and webhooks take them in order).

    freeports.py COUNT START
"""
import socket
import sys

count, start = int(sys.argv[1]), int(sys.argv[2])
for base in range(start, 60000, 100):
    socks = []
    try:
        for p in range(base, base + count):
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(socket.AF_INET, kind)
                socks.append(s)
                s.bind(("127.0.0.1", p))
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
else:
    sys.exit("no %d consecutive free ports from %d" % (count, start))
