// The console's only way to the server: the public API, with the signed-in token in the Authorization header.
// The token lives in sessionStorage (this tab, until it closes) and never in a cookie.

const KEY = 'dm.token';

export const session = {
  token: () => sessionStorage.getItem(KEY),
  scope: () => sessionStorage.getItem(KEY + '.scope'),
  canWrite: () => sessionStorage.getItem(KEY + '.scope') === 'write',
  start(token, scope) {
    sessionStorage.setItem(KEY, token);
    sessionStorage.setItem(KEY + '.scope', scope);
  },
  end() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(KEY + '.scope');
  },
};

export class ApiError extends Error {
  constructor(status, problem, text) {
    super(problem && problem.detail ? problem.detail : text || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(method, path, body, token) {
  const headers = { Authorization: 'Bearer ' + (token || session.token() || '') };
  const init = { method, headers, credentials: 'omit', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) throw new ApiError(response.status, json, text);
  return json;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

/**
 * Server-Sent Events read with fetch, since EventSource cannot send the Authorization header.
 * Calls onEvent({id, event, data}) per event until the signal aborts; onOpen once the server answered.
 */
export async function streamEvents(path, { signal, onOpen, onEvent }) {
  const response = await fetch(path, {
    headers: { Authorization: 'Bearer ' + session.token(), Accept: 'text/event-stream' },
    credentials: 'omit', cache: 'no-store', signal,
  });
  if (!response.ok) {
    const text = await response.text();
    let problem = null;
    try { problem = JSON.parse(text); } catch (e) { /* not JSON */ }
    throw new ApiError(response.status, problem, text);
  }
  if (onOpen) onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: 'message', data: '' , id: null };
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(val);
        else if (field === 'event') event.event = val;
        else if (field === 'id') event.id = val;
      }
      if (data.length) {
        event.data = data.join('\n');
        onEvent(event);
      }
    }
  }
}
