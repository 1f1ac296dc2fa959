import { api, query, session } from './api.js';
import { h, time, route, keyText, contextLine } from './dom.js';
import { diffTable, microsBefore } from './diff.js';

/** Every version of one row, newest first, each as a before/after diff with its transaction and an undo. */
export async function rowView(params) {
  const name = params.get('table');
  const pk = JSON.parse(params.get('pk') || '{}');
  const search = { table: name, limit: '50', cursor: params.get('cursor') };
  for (const [k, v] of Object.entries(pk)) search['pk.' + k] = typeof v === 'object' ? JSON.stringify(v) : v;
  const page = await api('GET', '/api/history' + query(search));
  const focus = params.get('focus');
  const versions = page.versions.map((v, i) => {
    const older = page.versions[i + 1];
    const undoRow = older ? { table: name, pk, versionId: older.versionId } : { table: name, pk, at: microsBefore(v.commitTs) };
    return h('article', { class: 'version' + (String(v.versionId) === focus ? ' focused' : ''), id: 'v' + v.versionId,
        'aria-labelledby': 'v' + v.versionId + '-title' },
      h('h2', { id: 'v' + v.versionId + '-title' }, h('span', { class: 'op op-' + v.op }, v.op), ' ', time(v.commitTs)),
      h('p', { class: 'meta' },
        v.txId != null ? ['Transaction ', h('a', { href: route('tx', { txId: v.txId }) }, String(v.txId)), ' (everything it touched) · '] : null,
        'LSN ', h('code', {}, v.lsn), ' · version ', String(v.versionId),
        v.complete ? null : [' · ', h('strong', {}, 'incomplete: '), (v.missing || []).join(', ')]),
      contextLine(v.context),
      diffTable(v.before, v.op === 'delete' ? null : v.after, v.changed),
      session.canWrite() ? h('div', { class: 'actions' },
        h('a', { class: 'button', href: route('undo', { body: undoRow }) }, 'Undo this change…'),
        v.txId != null ? h('a', { class: 'button secondary', href: route('undo', { body: { txId: v.txId } }) }, `Undo transaction ${v.txId}…`) : null)
        : null);
  });
  const next = page.nextCursor ? h('a', { href: route('row', { table: name, pk, cursor: page.nextCursor }) }, 'Older versions »') : null;
  const view = h('section', {},
    h('h1', {}, h('code', {}, name), ' ', keyText(pk)),
    h('p', {}, h('a', { href: route('changes', { table: name }) }, '« All changes of ' + name),
      ' · ', h('a', { href: route('as-of', { table: name, pk }), id: 'row-as-of' }, 'This row as of a time…'),
      ' · Newest version first. Changed cells are highlighted.'),
    session.canWrite() ? null : h('p', { class: 'note', id: 'read-only' }, 'Signed in with a read-only token: you can look, not undo.'),
    versions.length ? versions : h('p', {}, 'History holds no version of this row.'),
    next);
  if (focus) queueMicrotask(() => document.getElementById('v' + focus)?.scrollIntoView());
  return view;
}
