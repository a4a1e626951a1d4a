// Overview: GET /v1/stats (the server's meters, sampled every few seconds) drawn with uPlot.
import uPlot from '/console/vendor/uPlot.esm.js';
import { api } from './common.js';

const COLORS = ['#4f46e5', '#12b76a', '#f79009', '#f04438', '#0ba5ec', '#7a5af8', '#667085', '#ee46bc'];
const charts = new Map();

let xRange = [0, 1]; // the x range: the last 15 minutes, whatever the data covers

function draw(id, times, series, { bars = false } = {}) {
  const target = document.getElementById(id);
  const width = target.clientWidth || 480;
  const data = [times, ...series.map((s) => s.values)];
  const opts = {
    width, height: 200,
    legend: { show: true },
    cursor: { points: { size: 6 } },
    scales: { x: { time: true, range: () => xRange }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
    axes: [{ stroke: '#667085', grid: { stroke: '#eef0f3' } }, { stroke: '#667085', grid: { stroke: '#eef0f3' }, size: 50 }],
    series: [{}, ...series.map((s, i) => ({
      label: s.label, stroke: s.color ?? COLORS[i % COLORS.length], width: 2,
      fill: bars ? `${s.color ?? COLORS[i % COLORS.length]}33` : undefined,
      paths: bars ? uPlot.paths.bars({ size: [0.8, 12] }) : undefined,
      // Latencies exist only where there were attempts: dots, so a lone one shows.
      points: { show: !bars && s.dots === true, size: 5, fill: s.color ?? COLORS[i % COLORS.length] }, spanGaps: true,
    }))],
  };
  const old = charts.get(id);
  if (old && old.series.length === opts.series.length) {
    old.setData(data);
    return;
  }
  old?.destroy();
  target.replaceChildren();
  charts.set(id, new uPlot(opts, data, target));
}

async function refresh() {
  const s = await api('/v1/stats');
  document.getElementById('interval').textContent = s.interval_seconds;
  const p = s.points;
  const t = p.map((x) => Date.parse(x.t) / 1000);
  const end = t.length ? t[t.length - 1] : Date.now() / 1000;
  xRange = [end - s.interval_seconds * 180, end + s.interval_seconds];
  const col = (f) => p.map(f);
  const last = p[p.length - 1];
  document.getElementById('t-active').textContent = last ? last.active : '0';
  document.getElementById('t-ringing').textContent = last ? last.ringing : '0';
  document.getElementById('t-calls').textContent = p.reduce((a, x) => a + x.calls, 0);
  document.getElementById('t-failed').textContent = p.reduce((a, x) => a + x.webhook_failed, 0);

  draw('c-rate', t, [{ label: 'calls/s', values: col((x) => x.calls_per_second) }]);
  const outcomes = [...new Set(p.flatMap((x) => Object.keys(x.outcomes)))].sort();
  const palette = { connected: '#12b76a', webhook_failed: '#f04438', cancelled: '#98a2b3', agent_unreachable: '#f79009' };
  draw('c-outcomes', t, (outcomes.length ? outcomes : ['connected']).map((o, i) => ({
    label: o, color: palette[o] ?? COLORS[(i + 4) % COLORS.length], values: col((x) => x.outcomes[o] ?? 0),
  })), { bars: true });
  draw('c-webhook', t, [
    { label: 'p50', values: col((x) => x.webhook_p50_ms), dots: true },
    { label: 'p95', values: col((x) => x.webhook_p95_ms), color: '#f79009', dots: true },
    { label: 'p99', values: col((x) => x.webhook_p99_ms), color: '#f04438', dots: true },
  ]);
  draw('c-attempts', t, [
    { label: 'ok', values: col((x) => x.webhook_ok), color: '#12b76a' },
    { label: 'failed', values: col((x) => x.webhook_failed), color: '#f04438' },
  ], { bars: true });
  draw('c-agent', t, [
    { label: 'p50', values: col((x) => x.agent_connect_p50_ms), dots: true },
    { label: 'p95', values: col((x) => x.agent_connect_p95_ms), color: '#f79009', dots: true },
  ]);
  draw('c-active', t, [
    { label: 'active', values: col((x) => x.active) },
    { label: 'ringing', values: col((x) => x.ringing), color: '#f79009' },
  ]);
}

refresh().catch((e) => console.error(e));
setInterval(() => refresh().catch((e) => console.error(e)), 5000);
