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
      h('td', { class: 'before' }, before ? cell(b) : h('span', { class: 'absent' }, '—')),
      h('td', { class: 'after' }, after ? cell(a) : h('span', { class: 'absent' }, '—')));
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
