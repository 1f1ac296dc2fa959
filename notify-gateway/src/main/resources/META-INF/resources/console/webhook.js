import { api, session } from './api.js';
import { h, fill, table, time, keyText, problemBox } from './dom.js';

/** A webhook subscription's dead letters (with their error and a redeliver button) and its secret rotation. */
export async function webhookPanel(id) {
  const letters = await api('GET', '/api/subscriptions/' + encodeURIComponent(id) + '/dead-letters');
  const out = h('div', { 'aria-live': 'polite' });
  const rows = letters.map(l => h('tr', {},
    h('td', {}, time(l.at)),
    h('th', { scope: 'row' }, l.event ? `${l.event.op || ''} ${keyText(l.event.pk)}` : l.eventId),
    h('td', {}, String(l.attempts)),
    h('td', {}, l.error),
    h('td', {}, session.canWrite() ? h('button', { type: 'button', class: 'secondary', onclick: async event => {
      event.target.disabled = true;
      try {
        const done = await api('POST', '/api/subscriptions/' + encodeURIComponent(id) + '/dead-letters/' + encodeURIComponent(l.letter) + '/redeliver');
        fill(out, h('p', { class: 'success', role: 'status' }, `Redelivered: the receiver answered ${done.status}.`));
      } catch (error) {
        fill(out, problemBox(error));
        event.target.disabled = false;
      }
    } }, 'Redeliver') : '')));
  const section = h('section', { 'aria-labelledby': 'dead-title' },
    h('h2', { id: 'dead-title' }, `Dead letters (${letters.length})`),
    letters.length ? table('Changes given up on after the last attempt', ['Given up', 'Change', 'Attempts', 'Error', ''], rows, { id: 'dead-letters' })
      : h('p', {}, 'None: every change was delivered.'),
    out);
  if (session.canWrite()) {
    const grace = h('input', { id: 'grace', type: 'number', min: '0', max: '10080', value: '60', inputmode: 'numeric' });
    const shown = h('div', { 'aria-live': 'polite' });
    section.append(h('h2', {}, 'Webhook secret'),
      h('div', { class: 'actions' }, h('label', { for: 'grace' }, 'Old secret keeps signing for (minutes)'), grace,
        h('button', { type: 'button', class: 'secondary', id: 'rotate', onclick: async () => {
          try {
            const r = await api('POST', '/api/subscriptions/' + encodeURIComponent(id) + '/secret/rotate?graceMinutes=' + encodeURIComponent(grace.value || '0'));
            fill(shown, h('p', { class: 'success', role: 'status' }, 'The new secret, shown this once: ', h('code', { id: 'new-secret' }, r.secret),
              r.previousSecretValidUntil ? ['. The old one signs too until ', time(r.previousSecretValidUntil), '.'] : '.'));
          } catch (error) {
            fill(shown, problemBox(error));
          }
        } }, 'Rotate secret')),
      shown);
  }
  return section;
}
