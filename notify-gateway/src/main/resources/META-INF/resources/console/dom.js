// Builds elements from data without ever parsing data as HTML: text goes in as text nodes.

/** h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (typeof value === 'boolean') el.toggleAttribute(name, value);
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children; arrays are flattened, null and false left out (replaceChildren would print them). */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A value of a row as text: NULL, JSON for objects and arrays, the value otherwise. */
export function cell(value) {
  if (value === undefined) return h('span', { class: 'absent' }, '—');
  if (value === null) return h('span', { class: 'null' }, 'NULL');
  if (typeof value === 'object') return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
  return String(value);
}

/** A link inside the console: '#/name?k=v'. */
export function route(name, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v != null && v !== '') q.set(k, typeof v === 'object' ? JSON.stringify(v) : v);
  const s = q.toString();
  return '#/' + name + (s ? '?' + s : '');
}

/** A row key as people read it: id=42, line_no=2 */
export function keyText(pk) {
  return Object.entries(pk || {}).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

/** A transaction's application context (who changed it, and why) as text: user=alice · source=billing-job */
export function contextText(context) {
  return Object.entries(context || {}).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ');
}

/** The context as a labelled line, or nothing when the transaction has none. */
export function contextLine(context, attrs) {
  return context ? h('p', { class: 'context', ...(attrs || {}) }, h('strong', {}, 'Who / why: '), contextText(context)) : null;
}

export function time(iso) {
  return iso ? h('time', { datetime: iso, title: iso }, iso.replace('T', ' ').replace('Z', ' UTC')) : '';
}

export function table(caption, headers, rows, attrs) {
  return h('div', { class: 'scroll' },
    h('table', attrs || {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)));
}

export function problemBox(error) {
  const p = error.problem;
  return h('div', { class: 'problem', role: 'alert' },
    h('strong', {}, p && p.title ? `${p.title} (${error.status})` : `Request failed${error.status ? ' (' + error.status + ')' : ''}`),
    h('p', {}, p && p.detail ? p.detail : error.message),
    p && p.field ? h('p', {}, 'Field: ', h('code', {}, p.field)) : null);
}
