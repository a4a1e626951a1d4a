// Shared by every console page: the admin API client, a DOM builder that never parses data as HTML,
// and the formatting of times, durations and outcomes.

const csrf = document.querySelector('meta[name=csrf]')?.content ?? '';

/** An admin API error: the HTTP status and the API's message. */
export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/** Calls the admin API with the session's cookie (and its CSRF token on writes); the JSON answer. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 401) { location.assign('/console/login'); throw new ApiError(401, 'log in again'); }
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!r.ok) throw new ApiError(r.status, json?.error ?? (text || r.statusText));
  return json;
}

/** An element with attributes and children; strings become text nodes, never HTML. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Replaces a table body's rows. */
export function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

/** Local date and time with seconds, e.g. 2026-12-06 23:41:07. */
export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Milliseconds as 850 ms, 4.2 s, 3 min 05 s. */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** A coloured pill for a call outcome or state. */
export function pill(text) {
  const kind = ({
    connected: 'ok', ok: 'ok', ringing: 'warn', connecting: 'info',
    cancelled: '', webhook_failed: 'bad', agent_unreachable: 'bad', rejected_acl: 'bad',
  })[text] ?? (text && /fail|error|unreach|reject|refus|timeout/.test(text) ? 'bad' : '');
  return el('span', { class: `pill ${kind}` }, text ?? '–');
}

/** The page's query parameter {@code name}. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}
