// The admin API, with the token this tab signed in with. The token lives in sessionStorage (this
// tab only, gone when it closes) and travels only in the Authorization header, never in a URL.

const KEY = 'rc-admin-token';

export class Unauthorized extends Error {}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function remember(value) {
  sessionStorage.setItem(KEY, value);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${token() ?? ''}`, Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  if (response.status === 401) {
    throw new Unauthorized('The admin token was refused.');
  }
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch {
      // not a problem body; the status says enough
    }
    throw new Error(detail);
  }
  return response.status === 204 ? null : response.json();
}

export const api = {
  live: () => call('GET', '/api/admin/live'),
  series: () => call('GET', '/api/admin/live/series'),
  reports: (query) => call('GET', `/api/admin/reports?${new URLSearchParams(query)}`),
  act: (id, action, hours) => call('POST', `/api/admin/reports/${encodeURIComponent(id)}/actions`, { action, hours }),
  bans: () => call('GET', '/api/admin/bans'),
  lift: (ban) => call('DELETE', `/api/admin/bans?${new URLSearchParams(ban.kind === 'guest' ? { guestId: ban.target } : { ip: ban.target })}`),
};
