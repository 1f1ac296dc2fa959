import { api, session, ApiError } from './api.js';
import { h, table, time, route, keyText, problemBox } from './dom.js';
import { diffTable } from './diff.js';

/**
 * Undo: the restore API's dry run first (per-table summary, conflicts in words with the values side by side,
 * the SQL), then apply after a confirmation that names what will change, then the restore's own transaction.
 */
export async function undoView(params) {
  const body = JSON.parse(params.get('body') || '{}');
  const view = h('section', {}, h('h1', {}, 'Undo: ', describe(body)));
  if (!session.canWrite()) {
    view.append(h('p', { class: 'note', id: 'read-only' }, 'Signed in with a read-only token: undoing needs a token with the write scope '
      + '(the server refuses a read token\u2019s restore with 403).'));
    return view;
  }
  let plan;
  try {
    plan = await api('POST', '/api/restore', { ...body, dryRun: true });
  } catch (error) {
    view.append(h('p', {}, 'The dry run was refused:'), problemBox(error));
    return view;
  }
  view.append(h('p', {}, 'Dry run: nothing was written yet. This is what the restore would do.'), planView(plan));
  if (!plan.statements.length) {
    view.append(h('p', { class: 'note', id: 'nothing-to-do' }, 'Nothing to undo: every row is already in the state it would be restored to.'));
    return view;
  }
  view.append(applyPanel(body, plan));
  return view;
}

function describe(body) {
  if (body.txId != null) return `transaction ${body.txId}`;
  if (body.since) return `the changes of ${body.table || (body.tables || []).join(', ') || 'every table'} since ${body.since}`
    + (body.until ? ` until ${body.until}` : '') + (body.changed ? ` that changed ${body.changed.join(', ')}` : '')
    + (body.context ? ` by ${Object.entries(body.context).map(([k, v]) => `${k}=${v}`).join(', ')}` : '');
  const what = `${body.table} ${keyText(body.pk)}`;
  if (body.versionId != null) return `${what}, back to version ${body.versionId}`;
  if (body.at) return `${what}, back to ${body.at}`;
  return `${what} (deleted)`;
}

function changesText(summary) {
  return summary.map(s => {
    const parts = [];
    if (s.insert) parts.push(`insert ${s.insert} row${s.insert > 1 ? 's' : ''}`);
    if (s.update) parts.push(`update ${s.update} row${s.update > 1 ? 's' : ''}`);
    if (s.delete) parts.push(`delete ${s.delete} row${s.delete > 1 ? 's' : ''}`);
    return `${s.table}: ${parts.join(', ')}`;
  }).join('; ');
}

export function planView(plan) {
  const out = h('div', { class: 'plan', id: 'plan' });
  out.append(h('h2', {}, 'Summary'),
    table(null, ['Table', 'Insert', 'Update', 'Delete'], plan.summary.map(s => h('tr', {},
      h('th', { scope: 'row' }, s.table), h('td', { class: 'num' }, String(s.insert)), h('td', { class: 'num' }, String(s.update)),
      h('td', { class: 'num' }, String(s.delete)))), { id: 'restore-summary' }));
  if (!plan.liveChecked) out.append(h('p', { class: 'note' }, 'The live rows were not compared: the history-sink has no connection to the source database.'));
  if (plan.conflicts.length) {
    out.append(h('h2', {}, `Conflicts (${plan.conflicts.length})`));
    for (const c of plan.conflicts) out.append(conflictView(c));
  }
  if (plan.alreadyInState.length) {
    out.append(h('p', {}, 'Already in the state restored, left alone: ', plan.alreadyInState.map(r => `${r.table} ${keyText(r.pk)}`).join('; ')));
  }
  for (const n of plan.columnsNotRestored || []) {
    out.append(h('p', { class: 'note' }, `${n.table} ${keyText(n.pk)}: ${n.columns.join(', ')} not restored (${n.reason === 'dropped'
      ? 'no longer a column of the table' : 'changed again after the mistake'}).`));
  }
  out.append(h('h2', {}, 'SQL'),
    h('p', {}, `${plan.statements.length} statement(s) in one transaction, ordered by ${plan.orderedBy === 'foreign-keys' ? 'the foreign keys' : 'history'}.`),
    h('pre', { class: 'sql', id: 'restore-sql', tabindex: '0' }, plan.statements.map(s => s.pasteable + ';').join('\n')));
  return out;
}

function conflictView(c) {
  const later = c.laterVersions || [];
  const last = later[later.length - 1];
  const words = c.reason === 'changed-later'
    ? [`This row was changed again after the change being undone: ${later.length} later version(s)`,
      last ? [', the last ', time(last.commitTs), last.txId != null ? ` in transaction ${last.txId}` : ''] : '',
      '. Undoing now would overwrite those later changes.']
    : ['The live row differs from the newest version history holds (capture may be behind, or a change was not captured).'];
  return h('article', { class: 'conflict', 'data-reason': c.reason },
    h('h3', {}, `${c.table} ${keyText(c.pk)}`, ' ', h('span', { class: 'badge' }, c.reason)),
    h('p', {}, words),
    diffTable(c.expected, c.actual, null, [c.reason === 'changed-later' ? 'As the mistake left it' : 'Newest in history',
      'Live now']),
    later.length ? h('details', {}, h('summary', {}, 'The later versions'),
      h('ul', {}, later.map(v => h('li', {}, time(v.commitTs), ` ${v.op} of ${(v.changed || []).join(', ') || 'the row'}`,
        v.txId != null ? [' in ', h('a', { href: route('tx', { txId: v.txId }) }, `transaction ${v.txId}`)] : '')))) : null);
}

function applyPanel(body, plan) {
  const panel = h('div', { class: 'card apply', id: 'apply-panel' }, h('h2', {}, 'Apply'));
  const result = h('div', { 'aria-live': 'polite', id: 'apply-result' });
  let force = null;
  if (plan.conflicts.length) {
    force = h('input', { type: 'checkbox', id: 'force' });
    panel.append(h('div', { class: 'check' }, force,
      h('label', { for: 'force' }, `Overwrite the later changes of ${plan.conflicts.length} conflicting row(s) shown above`)));
  }
  const apply = h('button', { type: 'button', id: 'apply', disabled: !!force }, 'Apply…');
  if (force) force.addEventListener('change', () => { apply.disabled = !force.checked; });
  const confirmBox = h('div', { class: 'confirm', hidden: true, role: 'group', 'aria-labelledby': 'confirm-text' });
  apply.addEventListener('click', () => {
    confirmBox.replaceChildren(
      h('p', { id: 'confirm-text' }, 'This will write to the source database in one transaction: ', h('strong', {}, changesText(plan.summary)),
        force && force.checked ? ', overwriting the later changes.' : '.'),
      h('button', { type: 'button', id: 'confirm-apply', class: 'danger', onclick: run }, 'Yes, apply the restore'),
      ' ',
      h('button', { type: 'button', class: 'secondary', onclick: () => { confirmBox.hidden = true; apply.focus(); } }, 'Cancel'));
    confirmBox.hidden = false;
    confirmBox.querySelector('#confirm-apply').focus();
  });
  async function run() {
    confirmBox.hidden = true;
    apply.disabled = true;
    try {
      const done = await api('POST', '/api/restore', { ...body, dryRun: false, force: !!(force && force.checked) });
      const tx = done.transaction;
      result.replaceChildren(h('div', { class: 'success', role: 'status', id: 'restored' },
        h('strong', {}, 'Restored. '), changesText(done.summary) + '. ',
        tx ? ['The restore ran as source transaction ', h('a', { href: route('tx', { txId: tx.txId }), id: 'restore-tx' }, String(tx.txId)),
          ` (LSN ${tx.lsn}). `, h('a', { href: route('undo', { body: { txId: tx.txId } }) }, 'Undo this restore…')] : null));
    } catch (error) {
      result.replaceChildren(problemBox(error));
      if (error instanceof ApiError && error.problem && error.problem.restore && error.problem.restore.conflicts) {
        result.append(planView(error.problem.restore));
      }
      apply.disabled = false;
    }
  }
  panel.append(apply, confirmBox, result);
  return panel;
}
