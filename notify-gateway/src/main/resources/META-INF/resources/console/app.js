// The console's shell: hash routes (#/name?params), sign-in, and the session line in the header.
import { api, session, ApiError } from './api.js';
import { h, problemBox } from './dom.js';
import { tablesView } from './tables.js';
import { changesView } from './changes.js';
import { rowView } from './row.js';
import { transactionView, transactionsView } from './transaction.js';
import { undoView } from './undo.js';
import { asOfView } from './asof.js';
import { pipelineView } from './pipeline.js';
import { subscriptionsView, subscriptionView, newSubscriptionView, editSubscriptionView } from './subscriptions.js';

const routes = {
  signin: signInView,
  tables: tablesView,
  changes: changesView,
  row: rowView,
  transactions: transactionsView,
  tx: transactionView,
  undo: undoView,
  'as-of': asOfView,
  subscriptions: subscriptionsView,
  subscription: subscriptionView,
  'new-subscription': newSubscriptionView,
  pipeline: pipelineView,
  'edit-subscription': editSubscriptionView,
};

/** Whatever a view left running (a live tail) is stopped when the user goes elsewhere. */
let leaving = new AbortController();

function current() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [name, q] = hash.split('?');
  return { name: name || 'tables', params: new URLSearchParams(q || '') };
}

async function render() {
  leaving.abort();
  leaving = new AbortController();
  const main = document.getElementById('main');
  let { name, params } = current();
  if (!session.token() && name !== 'signin') {
    location.replace('#/signin?next=' + encodeURIComponent(location.hash || '#/tables'));
    return;
  }
  renderSession();
  const view = routes[name];
  main.setAttribute('aria-busy', 'true');
  try {
    const content = view ? await view(params, { signal: leaving.signal }) : h('p', {}, 'No such page. ', h('a', { href: '#/tables' }, 'Tables'));
    main.replaceChildren(content);
    window.scrollTo(0, 0);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.end();
      location.replace('#/signin?next=' + encodeURIComponent(location.hash));
      return;
    }
    main.replaceChildren(h('h1', {}, 'Something went wrong'), problemBox(error));
  } finally {
    main.removeAttribute('aria-busy');
  }
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
    document.title = heading.textContent + ' · datamanager console';
  }
}

function renderSession() {
  const box = document.getElementById('session');
  if (!session.token()) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    h('span', { class: 'scope scope-' + session.scope(), id: 'scope' }, session.scope() === 'write' ? 'write token' : 'read-only token'),
    h('button', { type: 'button', class: 'link', onclick: () => { session.end(); location.hash = '#/signin'; } }, 'Sign out'));
}

async function signInView(params) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card signin', id: 'signin' },
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { class: 'hint' }, 'The token `./datamanager up` printed (also in .datamanager/api.token), or one of DM_GATEWAY_TOKENS. '
      + 'It is kept in this browser tab only, and sent in the Authorization header of each API call.'),
    h('button', { type: 'submit' }, 'Sign in'),
    status);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      const answer = await api('GET', '/api/token', undefined, input.value.trim());
      session.start(input.value.trim(), answer.scope);
      location.hash = params.get('next') && params.get('next').startsWith('#/') && !params.get('next').startsWith('#/signin')
        ? params.get('next') : '#/tables';
    } catch (error) {
      status.replaceChildren(problemBox(error));
    }
  });
  return h('section', {}, h('h1', {}, 'Sign in'), form);
}

window.addEventListener('hashchange', render);
render();
