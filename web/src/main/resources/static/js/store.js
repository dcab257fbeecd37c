// What the page remembers between visits, in localStorage. Every access tolerates a storage
// that is full, disabled (private mode) or holding garbage.

const KEYS = {
  name: 'rc.name',
  interests: 'rc.interests',
  channel: 'rc.channel',   // {channelId, token, lastSeq, seen, peer, commonInterests}
  outbox: 'rc.outbox',     // [{cmid, channelId, kind: 'text'|'file', text?, fileId?, file?, at}]
  guest: 'rc.guest',       // true once this browser got a guest cookie (the cookie itself is HttpOnly)
};

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, it just forgets on reload.
  }
}

export const store = {
  name: () => {
    const v = read(KEYS.name, '');
    return typeof v === 'string' ? v : '';
  },
  setName: (v) => write(KEYS.name, v),
  interests: () => {
    const v = read(KEYS.interests, '');
    return typeof v === 'string' ? v : '';
  },
  setInterests: (v) => write(KEYS.interests, v),

  /** Whether asking /api/guests/me is worth it: a first visit would only log a 401. */
  hadGuest: () => read(KEYS.guest, false) === true,
  setHadGuest: (v) => write(KEYS.guest, v ? true : null),

  channel: () => {
    const c = read(KEYS.channel, null);
    if (!c || typeof c.channelId !== 'string' || typeof c.token !== 'string') return null;
    c.lastSeq = Number.isInteger(c.lastSeq) && c.lastSeq > 0 ? c.lastSeq : 0;
    c.seen = Number.isInteger(c.seen) && c.seen > 0 ? c.seen : 0;
    return c;
  },
  setChannel: (c) => write(KEYS.channel, c),

  outbox: (channelId) => {
    const all = read(KEYS.outbox, []);
    if (!Array.isArray(all)) return [];
    return all.filter((e) => e && e.channelId === channelId && typeof e.cmid === 'string');
  },
  setOutbox: (entries) => write(KEYS.outbox, entries && entries.length ? entries : null),
};
