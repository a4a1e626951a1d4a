// One call: GET /v1/calls/{id}: the SIP timeline, the webhook attempts, the variables, the agent.
import { api, el, fillRows, fmtTime, fmtDuration, pill, param } from './common.js';

const $ = (id) => document.getElementById(id);

function since(c, iso) {
  return iso ? `+${fmtDuration(Date.parse(iso) - Date.parse(c.received))}` : '';
}

async function load() {
  const id = param('id');
  let c;
  try {
    c = await api(`/v1/calls/${encodeURIComponent(id ?? '')}`);
  } catch (e) {
    $('c-error').textContent = e.message;
    return;
  }
  $('c-id').textContent = c.call_id;
  $('c-outcome').replaceWith(pill(c.outcome));
  $('c-summary').textContent = `${c.from_number} → ${c.to_number}, ${fmtTime(c.received)}`;
  const steps = [
    ['INVITE received', c.received, `from ${c.source} on trunk ${c.trunk}`],
    ['180 Ringing sent', c.ringing, ''],
    ['Decided', c.decided, c.webhook_attempts.length ? `webhook: ${c.webhook_attempts.length} attempt(s)` : 'no webhook'],
    ['200 OK sent (answered)', c.answered, c.agent ? `agent ${c.agent}` : ''],
    [`Ended: ${c.final_status}`, c.ended, `${c.ended_by} ${c.end_reason ? `: ${c.end_reason}` : ''}`],
  ];
  fillRows($('c-timeline'), steps.map(([what, when, note]) => el('li', { class: when ? '' : 'missed' },
    el('div', { class: 'what' }, what, ' ', el('span', { class: 'when' }, when ? `${fmtTime(when)} ${since(c, when)}` : 'did not happen')),
    note && when ? el('div', { class: 'muted' }, note) : null)));
  const facts = [
    ['From', c.from_number], ['To', c.to_number], ['Outcome', pill(c.outcome)], ['Final SIP status', c.final_status],
    ['Duration', fmtDuration(c.duration_ms)], ['Ended by', c.ended_by], ['Why', c.end_reason || '–'],
    ['Agent', c.agent ?? '–'], ['Trunk', c.trunk], ['Source', c.source], ['SIP Call-ID', c.sip_call_id],
  ];
  fillRows(document.querySelector('#c-facts tbody'), facts.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
  fillRows(document.querySelector('#c-attempts tbody'), c.webhook_attempts.map((a) => el('tr', {},
    el('td', {}, a.number),
    el('td', { class: 'mono' }, fmtTime(a.started)),
    el('td', {}, fmtDuration(a.latency_ms)),
    el('td', {}, a.status ?? '–'),
    el('td', {}, pill(a.failure ?? 'ok')),
    el('td', { class: 'muted' }, a.detail || ''))));
  $('c-no-attempts').hidden = c.webhook_attempts.length > 0;
  const vars = Object.entries(c.variables ?? {});
  fillRows(document.querySelector('#c-variables tbody'), vars.map(([k, v]) => el('tr', {}, el('th', { class: 'mono' }, k), el('td', { class: 'mono' }, v))));
  $('c-no-variables').hidden = vars.length > 0;
}

load();
