import { api } from './api.js';
import { h, fill, table, time } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Pipeline: components' health, consumer lag per stage, dead letters, and charts of the last hour (GET /api/pipeline). */
export async function pipelineView(params, { signal }) {
  const body = h('div', { id: 'pipeline', 'aria-live': 'polite' });
  const updated = h('p', { class: 'meta', id: 'pipeline-updated' });
  const refresh = h('button', { type: 'button', class: 'secondary', id: 'pipeline-refresh' }, 'Refresh');
  async function load() {
    try {
      const p = await api('GET', '/api/pipeline');
      fill(body, render(p));
      fill(updated, 'As of ', time(p.at), ' · refreshes every ', String(p.sampleSeconds), ' s');
    } catch (error) {
      if (!signal.aborted) fill(body, h('p', { class: 'problem', role: 'alert' }, 'Could not read the pipeline: ' + error.message));
    }
  }
  refresh.addEventListener('click', load);
  await load();
  const timer = setInterval(load, 10_000);
  signal.addEventListener('abort', () => clearInterval(timer));
  return h('section', {},
    h('h1', {}, 'Pipeline'),
    h('p', {}, 'Each part as this gateway sees it: whether it answers, how many records each consumer group has still to read, '
      + 'and the dead letters. Lag 0 everywhere means every change is through.'),
    h('div', { class: 'actions' }, refresh, updated),
    body);
}

function render(p) {
  const components = p.components.map(c => h('tr', { class: c.up ? 'up' : 'down' },
    h('th', { scope: 'row' }, c.name),
    h('td', {}, h('span', { class: c.up ? 'health up' : 'health down' }, c.up ? 'up' : 'DOWN')),
    h('td', {}, h('code', {}, c.url)),
    h('td', {}, c.detail || '')));
  const stages = p.stages.map(s => h('tr', { 'data-stage': s.name },
    h('th', { scope: 'row' }, s.name),
    h('td', { class: 'num lag' }, s.lag == null ? '—' : Number(s.lag).toLocaleString('en')),
    h('td', {}, s.group ? h('code', {}, s.group) : ''),
    h('td', {}, s.topics.length > 3 ? `${s.topics.length} topics (${s.topics.slice(0, 2).join(', ')}, …)` : s.topics.join(', ')),
    h('td', {}, s.error ? h('span', { class: 'problem-text' }, s.error) : (s.committed ? '' : 'nothing committed yet'))));
  const samples = p.samples || [];
  return [
    h('h2', {}, 'Components'),
    table(null, ['Component', 'Health', 'Address', 'Detail'], components, { id: 'components' }),
    h('h2', {}, 'Consumer lag'),
    table(null, ['Stage', 'Lag (records)', 'Consumer group', 'Reads', ''], stages, { id: 'stages' }),
    h('dl', { class: 'status', id: 'pipeline-figures' },
      h('dt', {}, 'Dead letters on ', h('code', {}, p.deadLetterTopic)),
      h('dd', { id: 'dead-letters' }, p.deadLetters == null ? '—' : Number(p.deadLetters).toLocaleString('en')),
      h('dt', {}, 'Throughput onto ', h('code', {}, p.changesTopic)),
      h('dd', { id: 'throughput' }, p.changesPerSecond == null ? 'measuring…' : `${p.changesPerSecond.toFixed(1)} records/s`),
      h('dt', {}, 'Records on ', h('code', {}, p.changesTopic)),
      h('dd', {}, p.changesEndOffset == null ? '—' : Number(p.changesEndOffset).toLocaleString('en')),
      h('dt', {}, 'WAL retained by capture\'s slot', p.slot && p.slot.slot ? [' ', h('code', {}, p.slot.slot)] : null),
      h('dd', { id: 'retained-wal' }, slotText(p.slot))),
    h('h2', {}, 'Last hour'),
    samples.length < 2 ? h('p', { class: 'hint' }, `Samples are taken every ${p.sampleSeconds} s; the charts appear after the second one.`) : null,
    h('div', { class: 'charts' },
      chart('Throughput (records/s onto ' + p.changesTopic + ')', samples, s => s.changesPerSecond, 'chart-throughput'),
      chart('Total consumer lag (records)', samples, s => s.totalLag, 'chart-lag'),
      chart('WAL retained by the slot (bytes)', samples, s => s.retainedWalBytes, 'chart-wal')),
  ];
}

/** The slot in words: how much WAL it keeps, whether capture reads it, how far capture is behind. */
function slotText(slot) {
  if (!slot || slot.error) return h('span', { class: 'hint' }, 'unknown: ' + (slot ? slot.error : 'not in the answer'));
  if (!slot.exists) return h('span', { class: 'problem-text' }, `no slot named ${slot.slot} in the source database (has capture run?)`);
  return [bytes(slot.retainedWalBytes), slot.active ? ' · capture reading' : h('span', { class: 'problem-text' }, ' · NOT read by capture: WAL piles up'),
    slot.unconfirmedBytes == null ? '' : ` · ${bytes(slot.unconfirmedBytes)} not yet confirmed`,
    slot.walStatus && slot.walStatus !== 'reserved' ? h('span', { class: 'problem-text' }, ` · wal_status ${slot.walStatus}`) : ''];
}

function bytes(n) {
  if (n == null) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Number(n), u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** A small line chart as SVG built with DOM calls (no library, no inline script or style). */
function chart(title, samples, value, id) {
  const W = 560, H = 140, L = 48, R = 8, T = 10, B = 22;
  const points = samples.map(s => ({ t: Date.parse(s.at), v: value(s) })).filter(p => p.v != null);
  const figure = h('figure', { class: 'chart', id });
  figure.append(h('figcaption', {}, title));
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': title + (points.length
    ? `: latest ${fmt(points[points.length - 1].v)}, highest ${fmt(Math.max(...points.map(p => p.v)))} over the last hour` : ': no samples yet') });
  const max = Math.max(1, ...points.map(p => p.v));
  const now = points.length ? points[points.length - 1].t : Date.now();
  const t0 = now - 3600_000;
  const x = t => L + (W - L - R) * Math.max(0, (t - t0) / 3600_000);
  const y = v => T + (H - T - B) * (1 - v / max);
  svg.append(el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#4a5562', 'stroke-width': 1 }));
  svg.append(el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#4a5562', 'stroke-width': 1 }));
  svg.append(text(L - 4, T + 10, fmt(max), 'end'));
  svg.append(text(L - 4, H - B, '0', 'end'));
  svg.append(text(L, H - 6, '−60 min', 'start'));
  svg.append(text(W - R, H - 6, 'now', 'end'));
  if (points.length > 1) {
    svg.append(el('polyline', { fill: 'none', stroke: '#0b57d0', 'stroke-width': 2, 'stroke-linejoin': 'round',
      points: points.map(p => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ') }));
  } else if (points.length === 1) {
    svg.append(el('circle', { cx: x(points[0].t), cy: y(points[0].v), r: 3, fill: '#0b57d0' }));
  }
  figure.append(svg);
  return figure;
}

function el(name, attrs) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function text(x, y, content, anchor) {
  const t = el('text', { x, y, 'text-anchor': anchor, 'font-size': 11, fill: '#4a5562' });
  t.textContent = content;
  return t;
}

function fmt(v) {
  return v >= 100 ? Math.round(v).toLocaleString('en') : (Math.round(v * 10) / 10).toString();
}
