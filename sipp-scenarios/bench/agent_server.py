#!/usr/bin/env python3
"""A tiny AI-agent stand-in for scenario runs: a WebSocket server speaking the Twilio Media Streams
message set (the agent side of ringhook's agent bridge), with no dependencies.

Each connection is one call. It reads `connected`, `start`, `media`, `dtmf`, `mark` and `stop`;
echoes every `media` payload back (so the caller hears itself, like ringhook's built-in demo
agent), answers each `mark` by echoing it after the audio queued before it, and logs `dtmf`
digits. With ?hangup_after_ms=N in the URL it closes the stream N ms after `start`: the agent
ending the call, which ringhook must turn into a BYE (scenario uac-agent-hangup).

    python3 agent_server.py --port 9000         then an agent url: ws://127.0.0.1:9000/?hangup_after_ms=3000
"""
import argparse
import asyncio
import base64
import hashlib
import json
import signal
import struct
from urllib.parse import parse_qs, urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
STATS = {"calls": 0, "media_in": 0, "media_out": 0, "dtmf": 0, "hangups": 0}


async def read_frame(reader):
    """One frame: (opcode, payload). Client frames are masked (RFC 6455 5.3)."""
    b0, b1 = await reader.readexactly(2)
    opcode, masked, length = b0 & 0x0F, b1 & 0x80, b1 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    mask = await reader.readexactly(4) if masked else b"\0\0\0\0"
    data = bytearray(await reader.readexactly(length))
    for i in range(length):
        data[i] ^= mask[i % 4]
    return opcode, bytes(data)


def frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


async def handle(reader, writer):
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        target = head[0].split(" ")[1]
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        accept = base64.b64encode(hashlib.sha1(headers["sec-websocket-key"].encode() + GUID).digest())
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        q = parse_qs(urlsplit(target).query)
        hangup_ms = int(q["hangup_after_ms"][0]) if "hangup_after_ms" in q else None
        STATS["calls"] += 1
        await session(reader, writer, hangup_ms)
    except (asyncio.IncompleteReadError, ConnectionError, KeyError, ValueError, IndexError):
        pass
    finally:
        writer.close()


async def session(reader, writer, hangup_ms):
    stream_sid = None
    hangup = None
    while True:
        read = asyncio.ensure_future(read_frame(reader))
        done, _ = await asyncio.wait({read} | ({hangup} if hangup else set()),
                                     return_when=asyncio.FIRST_COMPLETED)
        if hangup in done:
            read.cancel()
            STATS["hangups"] += 1
            writer.write(frame(0x8, struct.pack("!H", 1000) + b"agent hung up"))
            await writer.drain()
            return
        opcode, data = read.result()
        if opcode == 0x8:  # close: answer it and stop
            writer.write(frame(0x8, data[:2]))
            return
        if opcode == 0x9:  # ping
            writer.write(frame(0xA, data))
            continue
        if opcode != 0x1:
            continue
        msg = json.loads(data)
        event = msg.get("event")
        if event == "start":
            stream_sid = msg.get("streamSid") or msg.get("start", {}).get("streamSid")
            if hangup_ms is not None:
                hangup = asyncio.ensure_future(asyncio.sleep(hangup_ms / 1000.0))
        elif event == "media":
            STATS["media_in"] += 1
            out = {"event": "media", "streamSid": stream_sid, "media": {"payload": msg["media"]["payload"]}}
            writer.write(frame(0x1, json.dumps(out).encode()))
            STATS["media_out"] += 1
        elif event == "mark":
            writer.write(frame(0x1, json.dumps({"event": "mark", "streamSid": stream_sid,
                                                "mark": msg.get("mark", {})}).encode()))
        elif event == "dtmf":
            STATS["dtmf"] += 1
            print("agent: DTMF '%s'" % msg.get("dtmf", {}).get("digit"), flush=True)
        elif event == "stop":
            return
        await writer.drain()


async def main(args):
    server = await asyncio.start_server(handle, args.host, args.port, backlog=4096)
    print("agent listening on %s:%d" % (args.host, server.sockets[0].getsockname()[1]), flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    print("agent summary: calls=%(calls)d media_in=%(media_in)d media_out=%(media_out)d dtmf=%(dtmf)d "
          "hangups=%(hangups)d" % STATS, flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9000)
    asyncio.run(main(p.parse_args()))
