// Live calls: GET /v1/live-calls/stream (Server-Sent Events): a snapshot, then each change.
import { el, fillRows, fmtDuration, pill } from './common.js';

const calls = new Map();
let skew = 0; // server clock minus ours, so "time in state" is right whatever the browser's clock says
const tbody = document.querySelector('#live tbody');
const conn = document.getElementById('conn');

function serverNow() {
  return Date.now() + skew;
}

function webhook(c) {
  if (!c.webhook) return el('span', { class: 'muted' }, 'none');
  if (c.webhook_attempt_in_flight > 0) {
    return el('span', {}, pill(`attempt ${c.webhook_attempt_in_flight} in flight`),
      c.last_attempt ? el('span', { class: 'muted' }, ` after ${c.last_attempt}`) : null);
  }
  return el('span', {}, `${c.webhook_attempts_done} attempt${c.webhook_attempts_done === 1 ? '' : 's'}`,
    c.last_attempt ? el('span', { class: 'muted' }, `, last ${c.last_attempt}`) : null);
}

function render() {
  const rows = [...calls.values()].sort((a, b) => a.received.localeCompare(b.received)).map((c) => el('tr', { 'data-call': c.call_id },
    el('td', { class: 'mono' }, c.from_number),
    el('td', { class: 'mono' }, c.to_number),
    el('td', {}, pill(c.state)),
    el('td', { class: 'elapsed', 'data-since': c.since }, fmtDuration(serverNow() - Date.parse(c.since))),
    el('td', {}, webhook(c)),
    el('td', {}, c.agent ?? el('span', { class: 'muted' }, '–')),
    el('td', { class: 'mono muted' }, c.call_id)));
  fillRows(tbody, rows);
  document.getElementById('live-empty').hidden = calls.size > 0;
}

function tick() {
  for (const td of tbody.querySelectorAll('td.elapsed')) {
    td.textContent = fmtDuration(serverNow() - Date.parse(td.dataset.since));
  }
}

function clock(data) {
  if (data.server_time) skew = Date.parse(data.server_time) - Date.now();
}

function connect() {
  const es = new EventSource('/v1/live-calls/stream');
  es.addEventListener('open', () => { conn.textContent = 'live'; conn.className = 'conn up'; });
  es.addEventListener('error', () => {
    // EventSource reconnects by itself; a session that expired needs the login page.
    conn.textContent = 'reconnecting…'; conn.className = 'conn down';
    if (es.readyState === EventSource.CLOSED) {
      fetch('/v1/live-calls', { credentials: 'same-origin' }).then((r) => {
        if (r.status === 401) location.assign('/console/login');
        else setTimeout(connect, 2000);
      });
    }
  });
  es.addEventListener('snapshot', (ev) => {
    const d = JSON.parse(ev.data);
    clock(d);
    calls.clear();
    d.calls.forEach((c) => calls.set(c.call_id, c));
    render();
  });
  es.addEventListener('update', (ev) => {
    const c = JSON.parse(ev.data);
    clock(c);
    calls.set(c.call_id, c);
    render();
  });
  es.addEventListener('ended', (ev) => {
    const d = JSON.parse(ev.data);
    clock(d);
    calls.delete(d.call_id);
    render();
  });
}

connect();
setInterval(tick, 1000);
