// Phone Numbers: the list from GET /v1/numbers, a number's Inbound Call Settings from
// GET /v1/numbers/{n}, saved with PUT, removed with DELETE, tested with POST .../test-webhook.
import { api, el, fillRows, fmtTime, fmtDuration, pill, ApiError } from './common.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['inbound_webhook_url', 'webhook_secret', 'agent'];
const SOURCES = {
  file: 'From the configuration file. Saving here overrides the file\'s URL, secret and agent at run time; removing the run-time settings restores the file\'s.',
  api: 'Set at run time through the admin API; the configuration file does not list it.',
  api_over_file: 'Run-time settings override the configuration file\'s entry for this number.',
  new: 'Not listed yet: saving sets it at run time.',
};
let agents = [];
let selected = null;

async function load() {
  const [list, ag] = await Promise.all([api('/v1/numbers'), api('/v1/agents')]);
  agents = ag.agents;
  $('f-agent').replaceChildren(...agents.map((a) => el('option', { value: a }, a === ag.default_agent ? `${a} (default)` : a)));
  fillRows(document.querySelector('#numbers tbody'), list.numbers.map((n) => el('tr', {
    class: `clickable${n.number === selected ? ' selected' : ''}`, 'data-number': n.number, onclick: () => open(n.number),
  },
  el('td', { class: 'mono' }, n.number),
  el('td', { class: 'url', title: n.inbound_webhook_url ?? '' }, n.inbound_webhook_url ?? el('span', { class: 'muted' }, 'none: straight to the agent')),
  el('td', {}, n.webhook_secret_set ? el('span', { class: 'pill ok' }, 'set') : el('span', { class: 'muted' }, 'unset')),
  el('td', {}, n.agent),
  el('td', {}, sourcePill(n.source)))));
  $('numbers-empty').hidden = list.numbers.length > 0;
}

function sourcePill(source) {
  return el('span', { class: `pill ${source === 'file' ? '' : 'info'}` }, ({ file: 'file', api: 'run time', api_over_file: 'run time over file' })[source] ?? source);
}

async function open(number) {
  selected = number;
  document.querySelectorAll('#numbers tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.number === number));
  clearErrors();
  $('saved').textContent = '';
  $('test-result').hidden = true;
  $('settings').hidden = false;
  $('s-number').textContent = number;
  let n;
  try {
    n = await api(`/v1/numbers/${encodeURIComponent(number)}`);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    n = { number, inbound_webhook_url: null, webhook_secret_set: false, agent: agents[0], source: 'new' };
  }
  $('s-source').replaceChildren(sourcePill(n.source === 'new' ? 'new' : n.source), ' ', SOURCES[n.source],
    n.updated ? ` Last changed ${fmtTime(n.updated)}.` : '');
  $('f-url').value = n.inbound_webhook_url ?? '';
  $('f-secret').value = '';
  $('secret-state').textContent = n.webhook_secret_set ? 'set' : 'not set';
  $('secret-state').className = `pill ${n.webhook_secret_set ? 'ok' : ''}`;
  $('f-secret').placeholder = n.webhook_secret_set ? 'type a new secret to rotate it' : 'leave empty to keep it unsigned';
  $('f-remove-secret').checked = false;
  $('remove-secret-row').hidden = !n.webhook_secret_set;
  $('f-agent').value = n.agent;
  const p = n.webhook_policy;
  $('s-policy').textContent = p
    ? `${fmtDuration(p.timeout_ms)} an attempt, ${p.retries} retries (backoff ${p.backoff_ms.map(fmtDuration).join(', ') || 'none'}), SIP ${p.failure_response} when every attempt fails. Set in the configuration file.`
    : 'The webhook section of the configuration file.';
  $('remove').hidden = !(n.source === 'api' || n.source === 'api_over_file');
  $('send-test').disabled = !n.inbound_webhook_url;
}

function clearErrors() {
  document.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
  document.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
  $('form-error').textContent = '';
}

/** Puts each problem of the API's message beside its field; the rest under the form. */
function showErrors(message) {
  const rest = [];
  for (const part of message.split('; ')) {
    const field = FIELDS.find((f) => part.startsWith(`${f} `));
    if (field) {
      const p = document.querySelector(`.field-error[data-for=${field}]`);
      p.textContent = p.textContent ? `${p.textContent}; ${part}` : part;
      document.querySelector(`[name=${field}]`).classList.add('invalid');
    } else {
      rest.push(part);
    }
  }
  $('form-error').textContent = rest.join('; ');
}

async function save(ev) {
  ev.preventDefault();
  clearErrors();
  const body = { inbound_webhook_url: $('f-url').value.trim() || null, agent: $('f-agent').value };
  if ($('f-secret').value) body.webhook_secret = $('f-secret').value;
  else if (!$('f-remove-secret').checked) body.keep_webhook_secret = true;
  $('save').disabled = true;
  try {
    await api(`/v1/numbers/${encodeURIComponent(selected)}`, { method: 'PUT', body });
    await load();
    await open(selected);
    $('saved').textContent = 'Saved: the next call uses it.';
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) showErrors(e.message);
    else $('form-error').textContent = e.message;
  } finally {
    $('save').disabled = false;
  }
}

async function remove() {
  clearErrors();
  try {
    await api(`/v1/numbers/${encodeURIComponent(selected)}`, { method: 'DELETE' });
    await load();
    if (document.querySelector(`#numbers tr[data-number="${selected}"]`)) await open(selected);
    else $('settings').hidden = true;
  } catch (e) {
    $('form-error').textContent = e.message;
  }
}

async function sendTest() {
  $('send-test').disabled = true;
  $('form-error').textContent = '';
  try {
    const t = await api(`/v1/numbers/${encodeURIComponent(selected)}/test-webhook`, { method: 'POST' });
    $('test-result').hidden = false;
    $('tr-status').textContent = t.status === null ? 'no response' : `HTTP ${t.status}`;
    $('tr-status').className = `pill ${t.succeeded ? 'ok' : 'bad'}`;
    $('tr-latency').textContent = fmtDuration(t.latency_ms);
    $('tr-url').textContent = t.url;
    $('tr-error').textContent = t.error ?? '';
    fillRows(document.querySelector('#tr-headers tbody'),
      Object.entries(t.headers).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', { class: 'mono' }, v))));
    $('tr-body').textContent = t.body + (t.body_truncated ? '\n… (cut at 16 KiB)' : '') || '(empty)';
  } catch (e) {
    $('form-error').textContent = e.message;
  } finally {
    $('send-test').disabled = false;
  }
}

$('settings-form').addEventListener('submit', save);
$('send-test').addEventListener('click', sendTest);
$('remove').addEventListener('click', remove);
$('add-number').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const n = ev.target.number.value.trim();
  if (n) open(n);
});
load().catch((e) => { $('form-error').textContent = e.message; });
