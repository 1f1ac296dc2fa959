import { api, session } from './api.js';
import { h, table, time, route, keyText, contextLine, contextText } from './dom.js';

const OPS = ['insert', 'update', 'delete', 'truncate'];

/** Rows per table and operation of one transaction summary (the API's `tables`). */
function perTable(tx, caption, attrs) {
  const rows = tx.tables.map(t => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: route('changes', { table: t.table, txId: tx.txId }) }, t.table)),
    OPS.map(op => h('td', { class: 'num' }, String(t[op] || 0)))));
  return table(caption, ['Table', 'Inserted', 'Updated', 'Deleted', 'Truncated'], rows, attrs);
}

/**
 * Source transactions newest first (`GET /api/history/transactions`): "that UPDATE without WHERE" is the one with
 * 308 updates in one table. Filters: table and commit time; paged with the API's cursor.
 */
export async function transactionsView(params) {
  const q = new URLSearchParams();
  for (const name of ['table', 'since', 'until', 'cursor']) if (params.get(name)) q.set(name, params.get(name));
  q.set('limit', '50');
  const page = await api('GET', '/api/history/transactions?' + q);
  const field = (name, label, type, placeholder) => [h('label', { for: 'f-' + name }, label),
    h('input', { id: 'f-' + name, name, type: type || 'text', value: params.get(name) || '', placeholder: placeholder || '' })];
  const form = h('form', { class: 'filters', id: 'tx-filters' },
    field('table', 'Table', 'text', 'public.orders'),
    field('since', 'Committed since', 'text', '2026-12-01T02:00:00Z'),
    field('until', 'Committed until', 'text', '2026-12-01T02:10:00Z'),
    h('button', { type: 'submit' }, 'Find'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const values = Object.fromEntries([...new FormData(form)].filter(([, v]) => String(v).trim() !== ''));
    location.hash = route('transactions', values);
  });
  const rows = page.transactions.map(tx => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: route('tx', { txId: tx.txId }) }, String(tx.txId))),
    h('td', {}, time(tx.commitTs)),
    h('td', { class: 'num' }, Number(tx.rows).toLocaleString('en')),
    h('td', {}, tx.tables.map(t => `${t.table}: ${OPS.filter(op => t[op]).map(op => `${t[op]} ${op}`).join(', ')}`).join('; ')),
    h('td', {}, contextText(tx.context))));
  const next = page.nextCursor
    ? h('p', {}, h('a', { href: route('transactions', { ...Object.fromEntries(params), cursor: page.nextCursor }), id: 'tx-next' }, 'Older transactions →'))
    : null;
  return h('section', {},
    h('h1', {}, 'Transactions'),
    h('p', {}, 'Source transactions newest first, with the rows each wrote per table and operation. A mistake that '
      + 'touched many rows stands out here; open it to see every change and undo it.'),
    form,
    rows.length ? table(null, ['Transaction', 'Committed', 'Rows', 'Tables and rows per operation', 'Who / why'], rows, { id: 'transactions' })
      : h('p', {}, 'History holds no transaction that matches.'),
    next);
}

/** One source transaction: the tables and rows it touched, per operation, each change, and an undo of all of it. */
export async function transactionView(params) {
  const txId = params.get('txId');
  const tx = await api('GET', '/api/history/transactions/' + encodeURIComponent(txId));
  const page = await api('GET', '/api/history?txId=' + encodeURIComponent(txId) + '&limit=1000');
  const changes = page.versions.map(v => h('tr', {},
    h('td', {}, time(v.commitTs)), h('td', {}, v.table), h('td', {}, h('span', { class: 'op op-' + v.op }, v.op)),
    h('th', { scope: 'row' }, h('a', { href: route('row', { table: v.table, pk: v.pk, focus: v.versionId }) }, keyText(v.pk))),
    h('td', {}, (v.changed || []).join(', '))));
  return h('section', {},
    h('h1', {}, 'Transaction ', h('code', {}, txId)),
    h('p', {}, `${Number(tx.rows).toLocaleString('en')} row change(s) in ${tx.tables.length} table(s), committed `, time(tx.commitTs),
      `, WAL ${tx.firstLsn}–${tx.lastLsn}.`),
    contextLine(tx.context, { id: 'tx-context' }),
    perTable(tx, 'Rows per table and operation', { id: 'tx-summary' }),
    session.canWrite()
      ? h('div', { class: 'actions' }, h('a', { class: 'button', id: 'undo-tx', href: route('undo', { body: { txId: Number(txId) } }) }, 'Undo this transaction…'))
      : null,
    table(page.nextCursor ? `The first ${page.versions.length} changes (the table links above filter all of them)` : 'Every change',
      ['Committed', 'Table', 'Op', 'Row', 'Changed columns'], changes, { id: 'tx-changes' }));
}
