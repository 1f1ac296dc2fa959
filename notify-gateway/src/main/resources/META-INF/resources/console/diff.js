import { h, cell } from './dom.js';

/**
 * Before and after side by side, one line per column; the columns the change changed are marked (class and text),
 * so the eye and a screen reader both find them.
 */
export function diffTable(before, after, changed, labels) {
  const names = [];
  for (const image of [after, before]) for (const k of Object.keys(image || {})) if (!names.includes(k)) names.push(k);
  const changedSet = new Set(changed || []);
  const rows = names.map(name => {
    const b = before ? before[name] : undefined;
    const a = after ? after[name] : undefined;
    const isChanged = changedSet.has(name) || (before && after && JSON.stringify(b) !== JSON.stringify(a));
    return h('tr', { class: isChanged ? 'changed' : null, 'data-column': name },
      h('th', { scope: 'row' }, name, isChanged ? h('span', { class: 'visually-hidden' }, ' (changed)') : null),
      ...(isChanged && before && after && readableDiff(b, a) ? lineDiff(b, a) : [
        h('td', { class: 'before' }, before ? cell(b) : h('span', { class: 'absent' }, '—')),
        h('td', { class: 'after' }, after ? cell(a) : h('span', { class: 'absent' }, '—'))]));
  });
  const [left, right] = labels || ['Before', 'After'];
  return h('div', { class: 'scroll' }, h('table', { class: 'diff' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, left), h('th', { scope: 'col' }, right))),
    h('tbody', {}, rows)));
}

/** One microsecond before an ISO-8601 instant with up to microsecond precision (the restore API's 'at'). */
export function microsBefore(iso) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!m) return iso;
  const seconds = BigInt(Date.parse(m[1] + 'Z') / 1000);
  const micros = seconds * 1000000n + BigInt((m[2] || '').padEnd(6, '0').slice(0, 6)) - 1n;
  const whole = micros / 1000000n;
  const fraction = String(micros % 1000000n).padStart(6, '0');
  return new Date(Number(whole) * 1000).toISOString().replace(/\.\d{3}Z$/, '.' + fraction + 'Z');
}

/** Long text (over 60 characters or several lines) and JSON objects are shown as a line diff, not as two blobs. */
function readableDiff(b, a) {
  if (b == null || a == null) return false;
  if (typeof b === 'object' && typeof a === 'object') return true;
  return typeof b === 'string' && typeof a === 'string' && (b.length > 60 || a.length > 60 || b.includes('\n') || a.includes('\n'));
}

function lines(v) {
  return typeof v === 'object' ? JSON.stringify(v, null, 2).split('\n') : v.split('\n');
}

/**
 * The two cells of a line diff: the lines of the before value (pretty-printed JSON for objects) matched to the
 * after value's by their longest common subsequence; removed lines marked in the before cell, added ones in the
 * after cell, and within a removed line paired with an added one, the words that differ.
 */
export function lineDiff(b, a) {
  const ops = lcs(lines(b), lines(a));
  const left = [], right = [];
  let dels = [], adds = [];
  const flush = () => {
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) {
      const [wl, wr] = k < dels.length && k < adds.length ? wordDiff(dels[k], adds[k]) : [[dels[k]], [adds[k]]];
      if (k < dels.length) left.push(line('del', wl));
      if (k < adds.length) right.push(line('add', wr));
    }
    dels = [];
    adds = [];
  };
  for (const op of ops) {
    if (op.op === 'same') {
      flush();
      left.push(line('same', [op.value]));
      right.push(line('same', [op.value]));
    } else if (op.op === 'del') dels.push(op.value);
    else adds.push(op.value);
  }
  flush();
  return [h('td', { class: 'before' }, h('pre', { class: 'linediff' }, left)),
    h('td', { class: 'after' }, h('pre', { class: 'linediff' }, right))];
}

function line(kind, parts) {
  const label = kind === 'del' ? 'removed: ' : kind === 'add' ? 'added: ' : null;
  return h('span', { class: 'line line-' + kind }, label ? h('span', { class: 'visually-hidden' }, label) : null, parts);
}

/** The words (and spaces and punctuation) two lines do not share, marked on each side. */
function wordDiff(before, after) {
  const tokens = text => text.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) || [];
  const ops = lcs(tokens(before), tokens(after));
  const left = [], right = [];
  for (const op of ops) {
    if (op.op === 'same') {
      left.push(op.value);
      right.push(op.value);
    } else if (op.op === 'del') left.push(h('span', { class: 'word-del' }, op.value));
    else right.push(h('span', { class: 'word-add' }, op.value));
  }
  return [left, right];
}

/**
 * The edit script from a to b by longest common subsequence: [{op: 'same'|'del'|'add', value}]. The common head and
 * tail are taken off first; a middle too large for the table (over 4 million cells) is shown as all removed, all added.
 */
export function lcs(a, b) {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail), y = b.slice(head, b.length - tail);
  const out = a.slice(0, head).map(value => ({ op: 'same', value }));
  const n = x.length, m = y.length;
  if (n * m > 4_000_000) {
    x.forEach(value => out.push({ op: 'del', value }));
    y.forEach(value => out.push({ op: 'add', value }));
  } else {
    const w = m + 1;
    const t = new Uint32Array((n + 1) * w); // t[i][j]: LCS length of x[i..] and y[j..]
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        t[i * w + j] = x[i] === y[j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
      }
    }
    let i = 0, j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) { out.push({ op: 'same', value: x[i] }); i++; j++; }
      else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) out.push({ op: 'del', value: x[i++] });
      else out.push({ op: 'add', value: y[j++] });
    }
    while (i < n) out.push({ op: 'del', value: x[i++] });
    while (j < m) out.push({ op: 'add', value: y[j++] });
  }
  a.slice(a.length - tail).forEach(value => out.push({ op: 'same', value }));
  return out;
}
