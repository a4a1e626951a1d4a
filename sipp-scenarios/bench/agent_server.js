#!/usr/bin/env node
// An echo agent for load runs (load.sh bridged --agent node), in its own process: a WebSocket
// server speaking the agent side of the Twilio Media Streams message set, with no dependencies.
//
// Each connection is one call. Every `media` payload is sent straight back as the agent's `media`
// (the caller hears itself), every `mark` is echoed, pings are answered, `stop` or a close frame
// ends the stream. It does what bench/agent_server.py does for scenarios, at the cost a thousand
// calls need: 50 messages a second each way per call, so no per-message syscall when several
// arrive together (writes are corked per read) and JSON parsed by V8.
//
//   node agent_server.js --port 9000          then an agent url: ws://127.0.0.1:9000/
'use strict';
const net = require('net');
const crypto = require('crypto');

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 section 1.3
const stats = { calls: 0, media_in: 0, media_out: 0, marks: 0, closed: 0 };

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function frame(opcode, payload) {
  const n = payload.length;
  let head;
  if (n < 126) {
    head = Buffer.from([0x80 | opcode, n]);
  } else if (n < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode; head[1] = 126; head.writeUInt16BE(n, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

function onMessage(socket, state, text) {
  let msg;
  try { msg = JSON.parse(text); } catch (e) { return; }
  switch (msg.event) {
    case 'start':
      state.sid = msg.streamSid || (msg.start && msg.start.streamSid);
      break;
    case 'media':
      stats.media_in++;
      socket.write(frame(1, Buffer.from('{"event":"media","streamSid":"' + state.sid
        + '","media":{"payload":"' + msg.media.payload + '"}}')));
      stats.media_out++;
      break;
    case 'mark':
      stats.marks++;
      socket.write(frame(1, Buffer.from(JSON.stringify({ event: 'mark', streamSid: state.sid, mark: msg.mark }))));
      break;
    case 'stop':
      socket.end(frame(8, Buffer.from([0x03, 0xE8])));
      break;
  }
}

function onData(socket, state, chunk) {
  state.buf = state.buf.length ? Buffer.concat([state.buf, chunk]) : chunk;
  if (!state.upgraded) {
    const end = state.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = state.buf.subarray(0, end).toString('latin1');
    state.buf = state.buf.subarray(end + 4);
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head);
    if (!key) { socket.destroy(); return; }
    const accept = crypto.createHash('sha1').update(key[1] + GUID).digest('base64');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + 'Sec-WebSocket-Accept: ' + accept + '\r\n\r\n');
    state.upgraded = true;
    stats.calls++;
  }
  let b = state.buf;
  for (;;) {
    if (b.length < 2) break;
    const opcode = b[0] & 0x0F;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7F;
    let at = 2;
    if (len === 126) { if (b.length < 4) break; len = b.readUInt16BE(2); at = 4; }
    else if (len === 127) { if (b.length < 10) break; len = Number(b.readBigUInt64BE(2)); at = 10; }
    const need = at + (masked ? 4 : 0) + len;
    if (b.length < need) break;
    const payload = Buffer.from(b.subarray(at + (masked ? 4 : 0), need));
    if (masked) {
      const m0 = b[at], m1 = b[at + 1], m2 = b[at + 2], m3 = b[at + 3];
      for (let i = 0; i < len; i += 4) {
        payload[i] ^= m0;
        if (i + 1 < len) payload[i + 1] ^= m1;
        if (i + 2 < len) payload[i + 2] ^= m2;
        if (i + 3 < len) payload[i + 3] ^= m3;
      }
    }
    b = b.subarray(need);
    if (opcode === 1) {
      onMessage(socket, state, payload.toString('utf8'));
    } else if (opcode === 9) {
      socket.write(frame(10, payload));
    } else if (opcode === 8) {
      socket.end(frame(8, payload.subarray(0, 2)));
      break;
    }
  }
  state.buf = b;
}

const server = net.createServer({ noDelay: true }, (socket) => {
  const state = { buf: Buffer.alloc(0), upgraded: false, sid: null };
  socket.setNoDelay(true);
  socket.on('data', (chunk) => {
    socket.cork();
    try { onData(socket, state, chunk); } finally { process.nextTick(() => socket.uncork()); }
  });
  socket.on('error', () => {});
  socket.on('close', () => { stats.closed++; });
});

server.listen({ host: arg('host', '127.0.0.1'), port: Number(arg('port', '9000')), backlog: 4096 }, () => {
  const a = server.address();
  console.log('agent listening on %s:%d', a.address, a.port);
});

function summary() {
  console.log('agent summary: calls=%d media_in=%d media_out=%d marks=%d closed=%d',
    stats.calls, stats.media_in, stats.media_out, stats.marks, stats.closed);
  process.exit(0);
}
process.on('SIGTERM', summary);
process.on('SIGINT', summary);
