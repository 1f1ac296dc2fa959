import { api, query, session } from './api.js';
import { h, table, time, route, keyText, contextText } from './dom.js';

const OPS = ['insert', 'update', 'delete', 'snapshot', 'truncate'];

/** A table's changes, newest first, narrowed by key, operation, changed column, value, transaction and time. */
export async function changesView(params) {
  const name = params.get('table');
  const schema = await api('GET', '/api/tables/' + encodeURIComponent(name));
  const columns = schema.columns.map(c => c.name);
  const keys = schema.columns.filter(c => c.primaryKey).map(c => c.name);

  const search = { table: name, limit: params.get('limit') || '50' };
  for (const p of ['op', 'changed', 'txId', 'since', 'until', 'cursor']) if (params.get(p)) search[p] = params.get(p);
  for (const k of keys) if (params.get('pk.' + k)) search['pk.' + k] = params.get('pk.' + k);
  if (params.get('matchColumn') && params.get('matchValue') != null) search['match.' + params.get('matchColumn')] = params.get('matchValue');
  if (params.get('contextKey') && params.get('contextValue') != null) search['context.' + params.get('contextKey')] = params.get('contextValue');
  const page = await api('GET', '/api/history' + query(search));

  const form = filterForm(name, params, columns, keys);
  const rows = page.versions.map(v => h('tr', {},
    h('td', {}, time(v.commitTs)),
    h('td', {}, h('span', { class: 'op op-' + v.op }, v.op)),
    h('th', { scope: 'row' }, h('a', { href: route('row', { table: v.table, pk: v.pk, focus: v.versionId }) }, keyText(v.pk) || '(whole table)')),
    h('td', {}, (v.changed || []).join(', ')),
    h('td', {}, v.txId != null ? h('a', { href: route('tx', { txId: v.txId }) }, String(v.txId)) : ''),
    h('td', {}, contextText(v.context))));
  const paging = h('nav', { class: 'paging', 'aria-label': 'Pages' },
    params.get('cursor') ? h('a', { href: linkWith(params, { cursor: null }) }, '« Newest') : null,
    page.nextCursor ? h('a', { href: linkWith(params, { cursor: page.nextCursor }), rel: 'next', id: 'older' }, 'Older changes »') : null);
  return h('section', {},
    h('h1', {}, 'Changes of ', h('code', {}, name)),
    h('p', {}, `${Number(schema.versions || 0).toLocaleString('en')} versions in history. Newest first. `,
      h('a', { href: route('as-of', { table: name }) }, 'The whole table as of a time…')),
    form,
    windowUndo(name, params, keys),
    page.versions.length ? table(`${page.versions.length} change(s) on this page`, ['Committed', 'Op', 'Row', 'Changed columns', 'Transaction', 'Who / why'], rows, { id: 'changes' })
      : h('p', { id: 'no-changes' }, 'No change matches these filters.'),
    paging);
}

function linkWith(params, changes) {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) if (v == null) next.delete(k); else next.set(k, v);
  return '#/changes?' + next.toString();
}

function field(id, label, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', {}, hint) : null);
}

function select(id, options, value) {
  return h('select', { id, name: id }, h('option', { value: '' }, 'any'),
    options.map(o => h('option', { value: o, selected: o === value }, o)));
}

function filterForm(name, params, columns, keys) {
  const inputs = {};
  const keyFields = keys.map(k => {
    inputs['pk.' + k] = h('input', { id: 'pk-' + k, value: params.get('pk.' + k) || '', inputmode: 'text' });
    return field('pk-' + k, `Key ${k}`, inputs['pk.' + k]);
  });
  inputs.op = select('op', OPS, params.get('op'));
  inputs.changed = select('changed', columns, params.get('changed'));
  inputs.matchColumn = select('matchColumn', columns, params.get('matchColumn'));
  inputs.matchValue = h('input', { id: 'matchValue', value: params.get('matchValue') || '' });
  inputs.contextKey = h('input', { id: 'contextKey', value: params.get('contextKey') || '', placeholder: 'source' });
  inputs.contextValue = h('input', { id: 'contextValue', value: params.get('contextValue') || '', placeholder: 'billing-job' });
  inputs.txId = h('input', { id: 'txId', value: params.get('txId') || '', inputmode: 'numeric', pattern: '[0-9]*' });
  inputs.since = h('input', { id: 'since', type: 'datetime-local', step: '1', value: toLocal(params.get('since')) });
  inputs.until = h('input', { id: 'until', type: 'datetime-local', step: '1', value: toLocal(params.get('until')) });
  const filtering = [...params.keys()].some(k => k !== 'table' && k !== 'cursor');
  const form = h('form', { class: 'filters', id: 'filters', role: 'search' },
    h('details', { open: filtering || window.matchMedia('(min-width: 700px)').matches },
      h('summary', {}, filtering ? 'Filters (active)' : 'Filters'),
      h('div', { class: 'grid' },
        keyFields,
        field('op', 'Operation', inputs.op),
        field('changed', 'Changed column', inputs.changed),
        field('matchColumn', 'Column holding a value', inputs.matchColumn),
        field('matchValue', 'Value (before or after)', inputs.matchValue),
        field('contextKey', 'Context key (who / why)', inputs.contextKey),
        field('contextValue', 'Context value', inputs.contextValue),
        field('txId', 'Transaction id', inputs.txId),
        field('since', 'From (your time)', inputs.since),
        field('until', 'Until (your time)', inputs.until)),
      h('div', { class: 'actions' },
        h('button', { type: 'submit' }, 'Apply filters'),
        h('a', { href: route('changes', { table: name }) }, 'Clear'))));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const next = new URLSearchParams({ table: name });
    for (const [k, input] of Object.entries(inputs)) {
      let v = input.value.trim();
      if (!v) continue;
      if (k === 'since' || k === 'until') v = new Date(v).toISOString();
      next.set(k, v);
    }
    location.hash = '#/changes?' + next.toString();
  });
  return form;
}

/** ISO-8601 instant to the value of a datetime-local input, in the browser's time zone. */
function toLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return '';
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A batch job's mistake spans many transactions: with a time range (and no key or operation filter, which a window
 * restore cannot express) the filtered changes can be undone together, as the restore API's window.
 */
function windowUndo(name, params, keys) {
  if (!session.canWrite() || !params.get('since') || params.get('op') || keys.some(k => params.get('pk.' + k))) return null;
  const body = { table: name, since: params.get('since') };
  if (params.get('until')) body.until = params.get('until');
  if (params.get('changed')) body.changed = [params.get('changed')];
  if (params.get('matchColumn') && params.get('matchValue')) body.match = { [params.get('matchColumn')]: params.get('matchValue') };
  if (params.get('contextKey') && params.get('contextValue')) body.context = { [params.get('contextKey')]: params.get('contextValue') };
  if (params.get('txId')) body.txIds = [Number(params.get('txId'))];
  return h('p', {}, h('a', { class: 'button secondary', id: 'undo-window', href: route('undo', { body }) },
    'Undo every change these filters select…'), ' (each row goes back to its state before the first of them; a dry run comes first)');
}
