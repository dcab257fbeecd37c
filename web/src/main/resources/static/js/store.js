// Everything the page remembers between visits, in localStorage, and nothing else touches
// localStorage. Every access tolerates a storage that is full, disabled, blocked (reading the
// `localStorage` property itself throws then) or holding garbage: the page still works, it only
// forgets on reload.

const KEYS = {
  name: 'rc.name',
  interests: 'rc.interests',
  channel: 'rc.channel',   // {channelId, token, lastSeq, seen, peer, commonInterests}
  outbox: 'rc.outbox',     // [{cmid, channelId, kind: 'text'|'file', text?, fileId?, file?, at}]
  guest: 'rc.guest',       // true once this browser got a guest cookie (the cookie itself is HttpOnly)
  ended: 'rc.ended',       // {channelId, token, peer, endedAt}: the last ended chat, for report/block
  notify: 'rc.notify',     // notifications wanted (the browser's permission is asked separately)
  sound: 'rc.sound',       // a short tone on a new message while the tab is hidden
  blur: 'rc.blur',         // blur the stranger's pictures until clicked (default on)
};

// What this page wrote, so settings still hold for this visit when storage is blocked.
const memory = new Map();

function read(key, fallback) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return memory.has(key) ? memory.get(key) : fallback;
  }
}

function write(key, value) {
  if (value === null || value === undefined) memory.delete(key);
  else memory.set(key, value);
  try {
    if (value === null || value === undefined) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full, disabled or blocked.
  }
}

const text = (key) => {
  const v = read(key, '');
  return typeof v === 'string' ? v : '';
};

const flag = (key, fallback) => {
  const v = read(key, fallback);
  return typeof v === 'boolean' ? v : fallback;
};

export const store = {
  name: () => text(KEYS.name),
  setName: (v) => write(KEYS.name, v),
  interests: () => text(KEYS.interests),
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

  ended: () => {
    const e = read(KEYS.ended, null);
    if (!e || typeof e.channelId !== 'string' || typeof e.token !== 'string' || !Number.isFinite(e.endedAt)) return null;
    return e;
  },
  setEnded: (e) => write(KEYS.ended, e),

  notify: () => flag(KEYS.notify, false),
  setNotify: (on) => write(KEYS.notify, on),
  sound: () => flag(KEYS.sound, false),
  setSound: (on) => write(KEYS.sound, on),
  blur: () => flag(KEYS.blur, true),
  setBlur: (on) => write(KEYS.blur, on),
};
