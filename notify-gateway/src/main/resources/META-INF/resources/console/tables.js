import { api } from './api.js';
import { h, table, time, route } from './dom.js';

/** The tables history holds, with their version counts and last change. */
export async function tablesView() {
  const tables = await api('GET', '/api/tables');
  const rows = tables.map(t => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: route('changes', { table: t.table }) }, t.table),
      t.dropped ? h('span', { class: 'tag', title: 'dropped at the source; its history stays' }, ' dropped ', time(t.droppedAt)) : null),
    h('td', { class: 'num' }, Number(t.versions).toLocaleString('en')),
    h('td', {}, time(t.lastChange))));
  return h('section', {},
    h('h1', {}, 'Tables'),
    h('p', {}, 'Every captured table with the versions history holds. Open one to see and search its changes.'),
    tables.length ? table(null, ['Table', 'Versions', 'Last change'], rows, { id: 'tables' })
      : h('p', {}, 'No table has a change yet.'));
}
