import { api, query } from './api.js';
import { h, table, cell, route, keyText } from './dom.js';

const SHOWN = 500;

/**
 * A whole table, or one row (pk given), as it was at a chosen time, to scroll through and export as CSV or JSON.
 * A row that did not exist then is said so (the API's 404), not shown as an empty table.
 */
export async function asOfView(params) {
  const name = params.get('table');
  const at = params.get('at') || new Date().toISOString();
  const pk = params.get('pk') ? JSON.parse(params.get('pk')) : null;
  if (pk) return rowAsOf(name, pk, at);
  const rows = await api('GET', '/api/history/as-of' + query({ table: name, at }));
  const columns = [];
  for (const r of rows) for (const k of Object.keys(r || {})) if (!columns.includes(k)) columns.push(k);
  const input = h('input', { id: 'asof-at', type: 'datetime-local', step: '1', value: localInput(at) });
  const form = h('form', { class: 'actions', id: 'asof-form' }, h('label', { for: 'asof-at' }, 'As of (your time)'), input,
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    if (input.value) location.hash = route('as-of', { table: name, at: new Date(input.value).toISOString() });
  });
  const stem = `${name}-as-of-${at.replace(/[:.]/g, '-')}`;
  return h('section', {},
    h('h1', {}, h('code', {}, name), ' as of ', at),
    h('p', {}, h('a', { href: route('changes', { table: name }) }, '« Changes of ' + name)),
    form,
    h('p', {}, `${rows.length} row(s) existed then${rows.length > SHOWN ? `; the first ${SHOWN} are shown, the exports hold all` : ''}. `,
      download('Export CSV', stem + '.csv', 'text/csv', csv(columns, rows)), ' ',
      download('Export JSON', stem + '.json', 'application/json', JSON.stringify(rows, null, 2))),
    rows.length ? table(null, columns, rows.slice(0, SHOWN).map(r => h('tr', {}, columns.map(c => h('td', {}, cell(r[c]))))), { id: 'asof' }) : null);
}

async function rowAsOf(name, pk, at) {
  const search = { table: name, at };
  for (const [k, v] of Object.entries(pk)) search['pk.' + k] = typeof v === 'object' ? JSON.stringify(v) : v;
  let row = null, absent = null;
  try {
    row = (await api('GET', '/api/history/as-of' + query(search))).row;
  } catch (error) {
    if (error.status !== 404) throw error;
    absent = error.message;
  }
  const input = h('input', { id: 'asof-at', type: 'datetime-local', step: '1', value: localInput(at) });
  const form = h('form', { class: 'actions', id: 'asof-form' }, h('label', { for: 'asof-at' }, 'As of (your time)'), input,
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    if (input.value) location.hash = route('as-of', { table: name, pk, at: new Date(input.value).toISOString() });
  });
  const stem = `${name}-${Object.values(pk).join('-')}-as-of-${at.replace(/[:.]/g, '-')}`;
  return h('section', {},
    h('h1', {}, h('code', {}, name), ' ', keyText(pk), ' as of ', at),
    h('p', {}, h('a', { href: route('row', { table: name, pk }) }, '« Every version of this row'), ' · ',
      h('a', { href: route('as-of', { table: name, at }) }, 'The whole table as of this time')),
    form,
    row ? [h('p', {}, download('Export CSV', stem + '.csv', 'text/csv', csv(Object.keys(row), [row])), ' ',
        download('Export JSON', stem + '.json', 'application/json', JSON.stringify(row, null, 2))),
      table(null, ['Column', 'Value'], Object.entries(row).map(([c, v]) => h('tr', { 'data-column': c }, h('th', { scope: 'row' }, c),
        h('td', {}, cell(v)))), { id: 'asof-row' })]
      : h('p', { class: 'note', id: 'asof-absent' }, 'The row did not exist then. ', absent || ''));
}

function download(label, file, type, text) {
  return h('a', { class: 'button secondary', download: file, href: URL.createObjectURL(new Blob([text], { type })) }, label);
}

function csv(columns, rows) {
  const field = v => {
    const s = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return [columns.map(field).join(','), ...rows.map(r => columns.map(c => field(r[c])).join(','))].join('\r\n') + '\r\n';
}

function localInput(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return '';
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
