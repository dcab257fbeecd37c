// Fetch wrappers for the HTTP API (docs/protocol.md sections 1 and 4). Same-origin paths only;
// the guest token travels in the HttpOnly rc_guest cookie, never in a URL.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || null;
  }
}

async function request(method, path, { body, headers } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json, application/problem+json', ...headers },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { title: 'Network error', detail: 'Could not reach the server. Check your connection.' });
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** The current guest, or null when the guest cookie is missing or expired (401). */
export async function me() {
  try {
    return await request('GET', '/api/guests/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** {bits: 0} when proof of work is off, else {challenge, bits, expiresAt}. */
export function challenge() {
  return request('GET', '/api/guests/challenge');
}

/** Creates a guest; the response sets the rc_guest cookie. */
export function createGuest(name, pow) {
  const body = { name };
  if (pow) {
    body.challenge = pow.challenge;
    body.nonce = pow.nonce;
  }
  return request('POST', '/api/guests', { body });
}

/** A page of a channel's messages after `after` (auth: the channel token). */
export function history(channelId, token, after = 0, limit = 100) {
  const query = new URLSearchParams({ after: String(after), limit: String(limit) });
  return request('GET', `/api/channels/${encodeURIComponent(channelId)}/messages?${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

/** {online, waiting}: guests connected and guests in the queue, across all servers. */
export function stats() {
  return request('GET', '/api/stats');
}
