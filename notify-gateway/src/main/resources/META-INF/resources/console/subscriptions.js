import { api, session, streamEvents } from './api.js';
import { webhookPanel } from './webhook.js';
import { h, fill, table, time, route, keyText, problemBox } from './dom.js';

/** The filter column choice that stands for a key of the application context. */
const CONTEXT = '@context';

/** Subscriptions: the list, one with its delivery status and a live tail of its events, and the form that makes one. */
export async function subscriptionsView() {
  const list = await api('GET', '/api/subscriptions');
  // the list has no status: each subscription's own GET gives it (what its page shows), fetched together
  const details = await Promise.all(list.map(s => api('GET', '/api/subscriptions/' + encodeURIComponent(s.id)).catch(() => null)));
  const rows = list.map((s, i) => h('tr', { 'data-id': s.id },
    h('th', { scope: 'row' }, h('a', { href: route('subscription', { id: s.id }) }, s.id)),
    h('td', {}, s.table), h('td', {}, (s.ops || []).join(', ') || 'all'), h('td', {}, (s.columns || []).join(', ') || 'any'),
    h('td', {}, deliveryText(s.delivery)),
    statusCells(s, details[i] && details[i].status)));
  return h('section', {},
    h('h1', {}, 'Subscriptions'),
    session.canWrite() ? h('p', {}, h('a', { class: 'button', href: '#/new-subscription', id: 'new-subscription' }, 'New subscription…')) : null,
    list.length ? table(null, ['Id', 'Table', 'Operations', 'Columns', 'Delivery', 'Delivered through', 'Lag', 'Failures', 'Dead letters', 'State'],
      rows, { id: 'subscriptions' }) : h('p', {}, 'No subscription yet.'));
}

/** Delivered-through, lag, failures, dead letters and state: the webhook's status, else Redis's; SSE and Kafka only have none. */
function statusCells(s, st) {
  const d = s.delivery || {};
  const of = st && (d.webhook ? st : d.redis ? st.redis : null);
  if (!of) return [h('td', { class: 'delivered' }, d.webhook || d.redis ? '—' : 'no push channel'), h('td', {}), h('td', {}), h('td', {}), h('td', {})];
  const failures = Number(of.failedAttempts ?? 0);
  return [
    h('td', { class: 'delivered' }, of.deliveredThroughLsn ? h('code', {}, of.deliveredThroughLsn) : 'nothing yet'),
    h('td', { class: 'num' }, of.lagSeconds != null ? `${Number(of.lagSeconds).toFixed(2)} s` : '—'),
    h('td', { class: 'num failures', title: of.lastError || null }, String(failures)),
    h('td', { class: 'num dead-letters' }, of.deadLetters != null ? String(of.deadLetters) : '—'),
    h('td', { class: 'state' }, of.disabled ? h('span', { class: 'badge' }, 'disabled (410 Gone)')
      : of.pending > 0 ? `${of.pending} pending` : 'delivering'),
  ];
}

function deliveryText(d) {
  const kinds = [];
  if (d && d.webhook) kinds.push('webhook ' + d.webhook.url);
  if (d && d.redis) kinds.push('Redis');
  kinds.push('SSE');
  return kinds.join(' · ');
}

export async function subscriptionView(params, { signal }) {
  const id = params.get('id');
  const s = await api('GET', '/api/subscriptions/' + encodeURIComponent(id));
  const st = s.status || {};
  const status = [
    ['Delivered through', st.deliveredThroughLsn ? [st.deliveredThroughLsn, ' (committed ', time(st.deliveredCommitTs), ')'] : 'nothing yet'],
    ['Lag', st.lagSeconds != null ? `${st.lagSeconds.toFixed(2)} s` : '—'],
    ['Pending', String(st.pending ?? 0)],
    ['Failed attempts', String(st.failedAttempts ?? 0)],
    ['Dead letters', String(st.deadLetters ?? 0)],
    ['Disabled', st.disabled ? 'yes (the receiver answered 410)' : 'no'],
    ['Last error', st.lastError || '—'],
  ];
  const rule = { ...s };
  delete rule.status;
  const view = h('section', {},
    h('h1', {}, 'Subscription ', h('code', {}, id)),
    h('p', {}, h('a', { href: '#/subscriptions' }, '« All subscriptions'),
      session.canWrite() ? [' · ', h('a', { href: route('edit-subscription', { id }), id: 'edit' }, 'Edit…')] : null),
    s.delivery && s.delivery.webhook ? h('dl', { class: 'status' }, status.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])) : null,
    h('h2', {}, 'Rule'),
    h('pre', { class: 'json', id: 'rule-json', tabindex: '0' }, JSON.stringify(rule, null, 2)),
    tail(id, signal),
    s.delivery && s.delivery.webhook ? await webhookPanel(id) : null);
  if (session.canWrite()) {
    const remove = h('button', { type: 'button', class: 'danger', id: 'delete' }, 'Delete subscription…');
    const confirmBox = h('div', { hidden: true });
    remove.addEventListener('click', () => {
      confirmBox.replaceChildren(h('p', {}, `Delete ${id}? Its deliveries stop; its topic stays.`),
        h('button', { type: 'button', class: 'danger', onclick: async () => {
          try {
            await api('DELETE', '/api/subscriptions/' + encodeURIComponent(id));
            location.hash = '#/subscriptions';
          } catch (error) {
            confirmBox.replaceChildren(problemBox(error));
          }
        } }, 'Yes, delete'), ' ',
        h('button', { type: 'button', class: 'secondary', onclick: () => { confirmBox.hidden = true; } }, 'Cancel'));
      confirmBox.hidden = false;
    });
    view.append(h('h2', {}, 'Delete'), remove, confirmBox);
  }
  return view;
}

/** The live tail: the subscription's SSE stream read with fetch (the token goes in a header), newest event first. */
function tail(id, pageSignal) {
  const list = h('ol', { class: 'tail', id: 'tail', reversed: true });
  const state = h('p', { id: 'tail-state', 'aria-live': 'polite' }, 'Not watching.');
  const start = h('button', { type: 'button', id: 'tail-start' }, 'Watch live');
  const stop = h('button', { type: 'button', class: 'secondary', id: 'tail-stop', disabled: true }, 'Stop');
  let controller = null;
  start.addEventListener('click', async () => {
    controller = new AbortController();
    pageSignal.addEventListener('abort', () => controller.abort());
    start.disabled = true;
    stop.disabled = false;
    state.textContent = 'Connecting…';
    try {
      await streamEvents('/api/subscriptions/' + encodeURIComponent(id) + '/events', {
        signal: controller.signal,
        onOpen: () => { state.textContent = 'Watching: new changes appear below as they happen.'; },
        onEvent: event => {
          let change;
          try { change = JSON.parse(event.data); } catch (e) { change = null; }
          list.prepend(h('li', { class: 'event' },
            change ? [h('span', { class: 'op op-' + change.op }, change.op), ' ', change.table, ' ', h('strong', {}, keyText(change.pk)), ' ',
              (change.changed || []).length ? `changed ${change.changed.join(', ')} ` : '', time(change.commitTs)] : null,
            h('details', {}, h('summary', {}, 'Event'), h('pre', { class: 'json' }, change ? JSON.stringify(change, null, 2) : event.data))));
          while (list.children.length > 200) list.lastChild.remove();
        },
      });
      state.textContent = 'The stream ended.';
    } catch (error) {
      state.textContent = error.name === 'AbortError' ? 'Stopped.' : 'The stream failed: ' + error.message;
    }
    start.disabled = false;
    stop.disabled = true;
  });
  stop.addEventListener('click', () => controller && controller.abort());
  return h('section', { class: 'card', 'aria-labelledby': 'tail-title' },
    h('h2', { id: 'tail-title' }, 'Live tail'), h('div', { class: 'actions' }, start, stop), state, list);
}

const OPS = ['insert', 'update', 'delete', 'snapshot'];
const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'is_null', 'not_null'];

export function newSubscriptionView() {
  return subscriptionForm(null);
}

/** The same form filled with a subscription's rule; saving PUTs it (a webhook keeps its secret when none is given). */
export async function editSubscriptionView(params) {
  const existing = await api('GET', '/api/subscriptions/' + encodeURIComponent(params.get('id')));
  return subscriptionForm(existing);
}

async function subscriptionForm(existing) {
  const title = existing ? 'Edit subscription ' + existing.id : 'New subscription';
  if (!session.canWrite()) return h('section', {}, h('h1', {}, title),
    h('p', { class: 'note', id: 'read-only' }, 'Signed in with a read-only token: making or changing subscriptions needs the write scope.'));
  const tables = await api('GET', '/api/tables');
  const f = {
    id: h('input', { id: 'sub-id', required: true, pattern: '[a-z0-9][a-z0-9._\\-]{0,62}', autocomplete: 'off' }),
    table: h('input', { id: 'sub-table', required: true, list: 'table-names', autocomplete: 'off' }),
    ops: OPS.map(op => h('input', { type: 'checkbox', id: 'op-' + op, value: op })),
    columns: h('fieldset', { id: 'sub-columns' }, h('legend', {}, 'Only when one of these columns changed (none: any change)')),
    filterColumn: h('select', { id: 'filter-column' }, h('option', { value: '' }, 'no filter')),
    filterOp: h('select', { id: 'filter-op' }, FILTER_OPS.map(o => h('option', { value: o }, o))),
    filterValue: h('input', { id: 'filter-value', autocomplete: 'off' }),
    filterContextKey: h('input', { id: 'filter-context-key', autocomplete: 'off', placeholder: 'source' }),
    payload: h('select', { id: 'sub-payload' }, ['full', 'changed', 'keys'].map(p => h('option', { value: p }, p))),
    webhook: h('input', { id: 'sub-webhook', type: 'url', placeholder: 'https://example.org/hook', autocomplete: 'off' }),
  };
  const json = h('pre', { class: 'json', id: 'sub-json', 'aria-live': 'polite' });
  const out = h('div', { id: 'sub-result', 'aria-live': 'polite' });
  // what the form does not show (more filters, Redis delivery, a webhook's other settings) is kept as it was
  const base = existing ? structuredClone(existing) : {};
  for (const k of ['id', 'status', 'table', 'ops', 'columns', 'payload']) delete base[k];
  const keptFilters = (base.filters || []).slice(1);
  delete base.filters;
  const rule = () => {
    const r = { ...base, table: f.table.value.trim() };
    delete r.delivery;
    const ops = f.ops.filter(o => o.checked).map(o => o.value);
    if (ops.length) r.ops = ops;
    const columns = [...f.columns.querySelectorAll('input:checked')].map(c => c.value);
    if (columns.length) r.columns = columns;
    if (f.filterColumn.value) {
      // the application context's keys are no columns: 'context.<key>' (issue 17)
      const column = f.filterColumn.value === CONTEXT ? 'context.' + f.filterContextKey.value.trim() : f.filterColumn.value;
      const filter = { column, op: f.filterOp.value };
      if (!['is_null', 'not_null'].includes(f.filterOp.value)) filter.value = parseValue(f.filterValue.value, f.filterOp.value);
      r.filters = [filter];
    }
    if (keptFilters.length) r.filters = [...(r.filters || []), ...keptFilters];
    if (f.payload.value !== 'full') r.payload = f.payload.value;
    // Redis (and any other channel) as it was; the webhook is its URL alone: the server keeps its secret when none is sent
    // (the view's secretSet and previousSecretUntil are not input)
    const delivery = {};
    for (const [k, v] of Object.entries(base.delivery || {})) if (v != null && k !== 'webhook') delivery[k] = v;
    if (f.webhook.value.trim()) delivery.webhook = { url: f.webhook.value.trim() };
    if (Object.keys(delivery).length) r.delivery = delivery;
    return r;
  };
  const refresh = () => { json.textContent = JSON.stringify(rule(), null, 2); };
  let loaded = null;
  const loadColumns = async () => {
    const name = f.table.value.trim();
    if (!/^[^.\s]+\.\S+$/.test(name) || name === loaded) return;
    loaded = name;
    try {
      const schema = await api('GET', '/api/tables/' + encodeURIComponent(name));
      fill(f.columns, h('legend', {}, 'Only when one of these columns changed (none: any change)'),
        schema.columns.map(c => h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'col-' + c.name, value: c.name }),
          h('label', { for: 'col-' + c.name }, c.name, ' ', h('small', {}, c.type)))));
      fill(f.filterColumn, h('option', { value: '' }, 'no filter'), schema.columns.map(c => h('option', { value: c.name }, c.name)),
        h('option', { value: CONTEXT }, 'a key of the application context (who / why)…'));
      if (existing && name === existing.table) {
        for (const c of existing.columns || []) { const box = f.columns.querySelector('#col-' + CSS.escape(c)); if (box) box.checked = true; }
        const first = (existing.filters || [])[0];
        if (first && first.column.startsWith('context.')) {
          f.filterColumn.value = CONTEXT;
          f.filterContextKey.value = first.column.slice('context.'.length);
        } else if (first) {
          f.filterColumn.value = first.column;
          f.filterOp.value = first.op;
          if (first.value !== undefined) f.filterValue.value = typeof first.value === 'string' ? first.value : JSON.stringify(first.value);
        }
      }
      out.replaceChildren();
    } catch (error) {
      out.replaceChildren(problemBox(error));
    }
    refresh();
  };
  const form = h('form', { id: 'subscription-form', class: 'card' },
    h('datalist', { id: 'table-names' }, tables.map(t => h('option', { value: t.table }))),
    h('div', { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: 'sub-id' }, 'Id'), f.id, h('small', {}, 'lower-case letters, digits, . _ -')),
      h('div', { class: 'field' }, h('label', { for: 'sub-table' }, 'Table'), f.table, h('small', {}, 'schema.table'))),
    h('fieldset', {}, h('legend', {}, 'Operations (none: all)'),
      f.ops.map(o => h('div', { class: 'check' }, o, h('label', { for: o.id }, o.value)))),
    f.columns,
    h('fieldset', {}, h('legend', {}, 'Only rows whose value…'),
      h('div', { class: 'grid' },
        h('div', { class: 'field' }, h('label', { for: 'filter-column' }, 'Column'), f.filterColumn),
        h('div', { class: 'field' }, h('label', { for: 'filter-context-key' }, 'Context key'), f.filterContextKey,
          h('small', {}, 'when filtering on the application context, e.g. source or user')),
        h('div', { class: 'field' }, h('label', { for: 'filter-op' }, 'Comparison'), f.filterOp),
        h('div', { class: 'field' }, h('label', { for: 'filter-value' }, 'Value'), f.filterValue, h('small', {}, 'JSON for in/not_in, e.g. ["a","b"]')))),
    h('div', { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: 'sub-payload' }, 'Payload'), f.payload),
      h('div', { class: 'field' }, h('label', { for: 'sub-webhook' }, 'Webhook URL (optional; SSE and Kafka always)'), f.webhook)),
    h('h2', {}, 'The rule as JSON'), json,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', id: 'preview' }, 'Preview against recent changes'),
      h('button', { type: 'submit', id: existing ? 'save' : 'create' }, existing ? 'Save changes' : 'Create subscription')),
    out);
  form.addEventListener('input', refresh);
  form.addEventListener('change', event => { if (event.target === f.table) loadColumns(); refresh(); });
  f.table.addEventListener('blur', loadColumns);
  form.querySelector('#preview').addEventListener('click', async () => {
    try {
      const id = f.id.value.trim() || 'preview';
      const p = await api('POST', '/api/subscriptions/' + encodeURIComponent(id) + '/preview?limit=100', rule());
      fill(out, h('p', { id: 'preview-result' }, `Of the last ${p.examined} change(s) of the table, it would have matched ${p.matched.length}.`),
        p.matched.length ? h('ul', {}, p.matched.slice(0, 10).map(c => h('li', {}, c.op, ' ', keyText(c.pk), ' ', time(c.commitTs)))) : null);
    } catch (error) {
      out.replaceChildren(problemBox(error));
    }
  });
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const id = f.id.value.trim();
    try {
      const saved = await api('PUT', '/api/subscriptions/' + encodeURIComponent(id), rule());
      const secret = saved.delivery && saved.delivery.webhook && saved.delivery.webhook.secret;
      fill(out, h('div', { class: 'success', role: 'status', id: existing ? 'saved' : 'created' }, existing ? 'Saved. ' : 'Created. ',
        secret ? ['The webhook secret, shown this once: ', h('code', {}, secret), '. '] : null,
        h('a', { href: route('subscription', { id }) }, 'Open it and watch live »')));
    } catch (error) {
      out.replaceChildren(problemBox(error));
    }
  });
  if (existing) {
    f.id.value = existing.id;
    f.id.readOnly = true;
    f.table.value = existing.table;
    for (const o of f.ops) o.checked = (existing.ops || []).includes(o.value);
    f.payload.value = existing.payload || 'full';
    f.webhook.value = existing.delivery && existing.delivery.webhook ? existing.delivery.webhook.url || '' : '';
    await loadColumns();
  }
  refresh();
  return h('section', {}, h('h1', {}, title),
    existing ? h('p', {}, h('a', { href: route('subscription', { id: existing.id }) }, '« Back to ' + existing.id)) : null,
    existing && keptFilters.length ? h('p', { class: 'note' }, `Its other ${keptFilters.length} filter(s) are kept as they are (see the JSON).`) : null,
    form);
}

function parseValue(text, op) {
  if (op === 'in' || op === 'not_in') {
    try { return JSON.parse(text); } catch (e) { return text.split(',').map(s => s.trim()); }
  }
  return text;
}
