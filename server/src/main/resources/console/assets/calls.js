// Call history: GET /v1/calls with the API's filters and cursor paging.
import { api, el, fillRows, fmtTime, fmtDuration, pill } from './common.js';

const form = document.getElementById('filters');
const tbody = document.querySelector('#calls tbody');
let cursors = []; // the cursor of each page shown so far; [0] is the newest page's (none)
let next = null;

function query(cursor) {
  const q = new URLSearchParams();
  for (const name of ['from', 'to', 'outcome']) {
    const v = form.elements[name].value.trim();
    if (v) q.set(name, v);
  }
  const since = form.elements.since.value;
  if (since) q.set('since', new Date(since).toISOString());
  q.set('limit', '25');
  if (cursor) q.set('cursor', cursor);
  return q;
}

function attempts(c) {
  const a = c.webhook_attempts;
  if (!a.length) return el('span', { class: 'muted' }, '–');
  const last = a[a.length - 1];
  const what = last.failure ? `${last.failure}${last.status ? ` ${last.status}` : ''}` : `HTTP ${last.status}`;
  return el('span', {}, `${a.length}× `, el('span', { class: `pill ${last.failure ? 'bad' : 'ok'}` }, what));
}

async function show(cursor) {
  document.getElementById('filter-error').textContent = '';
  let page;
  try {
    page = await api(`/v1/calls?${query(cursor)}`);
  } catch (e) {
    document.getElementById('filter-error').textContent = e.message;
    return;
  }
  fillRows(tbody, page.calls.map((c) => el('tr', { class: 'clickable', 'data-call': c.call_id, onclick: () => location.assign(`/console/call?id=${encodeURIComponent(c.call_id)}`) },
    el('td', { class: 'mono' }, el('a', { href: `/console/call?id=${encodeURIComponent(c.call_id)}` }, fmtTime(c.received))),
    el('td', { class: 'mono' }, c.from_number),
    el('td', { class: 'mono' }, c.to_number),
    el('td', {}, pill(c.outcome)),
    el('td', {}, c.final_status),
    el('td', {}, fmtDuration(c.duration_ms)),
    el('td', {}, attempts(c)),
    el('td', {}, c.agent ?? el('span', { class: 'muted' }, '–')),
    el('td', {}, c.ended_by))));
  document.getElementById('calls-empty').hidden = page.calls.length > 0;
  next = page.next_cursor;
  document.getElementById('older').disabled = !next;
  document.getElementById('newer').disabled = cursors.length <= 1;
}

form.addEventListener('submit', (ev) => { ev.preventDefault(); cursors = [null]; show(null); });
document.getElementById('older').addEventListener('click', () => { cursors.push(next); show(next); });
document.getElementById('newer').addEventListener('click', () => { cursors = [null]; show(null); });
cursors = [null];
show(null);
