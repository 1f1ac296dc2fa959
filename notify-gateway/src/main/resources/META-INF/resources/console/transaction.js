import { api, session } from './api.js';
import { h, table, time, route, keyText } from './dom.js';

/** One source transaction: the tables and rows it touched, per operation, each change, and an undo of all of it. */
export async function transactionView(params) {
  const txId = params.get('txId');
  const page = await api('GET', '/api/history?txId=' + encodeURIComponent(txId) + '&limit=1000');
  const perTable = new Map();
  for (const v of page.versions) {
    const counts = perTable.get(v.table) || {};
    counts[v.op] = (counts[v.op] || 0) + 1;
    perTable.set(v.table, counts);
  }
  const summary = [...perTable].map(([t, c]) => h('tr', {},
    h('th', { scope: 'row' }, t), ['insert', 'update', 'delete'].map(op => h('td', { class: 'num' }, String(c[op] || 0)))));
  const changes = page.versions.map(v => h('tr', {},
    h('td', {}, time(v.commitTs)), h('td', {}, v.table), h('td', {}, h('span', { class: 'op op-' + v.op }, v.op)),
    h('th', { scope: 'row' }, h('a', { href: route('row', { table: v.table, pk: v.pk, focus: v.versionId }) }, keyText(v.pk))),
    h('td', {}, (v.changed || []).join(', '))));
  return h('section', {},
    h('h1', {}, 'Transaction ', h('code', {}, txId)),
    page.versions.length ? h('p', {}, `${page.versions.length}${page.nextCursor ? '+' : ''} change(s), committed `, time(page.versions[0].commitTs), '.')
      : h('p', {}, 'History holds no change of this transaction.'),
    summary.length ? table('Rows per table and operation', ['Table', 'Inserted', 'Updated', 'Deleted'], summary, { id: 'tx-summary' }) : null,
    session.canWrite() && page.versions.length
      ? h('div', { class: 'actions' }, h('a', { class: 'button', id: 'undo-tx', href: route('undo', { body: { txId: Number(txId) } }) }, 'Undo this transaction…'))
      : null,
    changes.length ? table('Every change', ['Committed', 'Table', 'Op', 'Row', 'Changed columns'], changes, { id: 'tx-changes' }) : null);
}
