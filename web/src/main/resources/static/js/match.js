// The waiting screen: `match` -> `waiting` -> `matched` (or `cancel` -> `cancelled`).

const MAX_INTERESTS = 5;
const MAX_TAG_CHARS = 24;
const TAG = /^[a-z0-9 -]+$/;

/**
 * "Music, chess ,, films" -> {tags: ["music", "chess", "films"]}; bad input -> {error}.
 * Mirrors the server's rule: up to 5 tags of 1-24 characters of [a-z0-9 -], lower-cased, trimmed,
 * duplicates merged, empty pieces dropped.
 */
export function parseInterests(text) {
  const tags = [];
  for (const piece of String(text || '').split(',')) {
    const tag = piece.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!tag) continue;
    if ([...tag].length > MAX_TAG_CHARS) return { error: `"${tag}" is too long (at most ${MAX_TAG_CHARS} characters).` };
    if (!TAG.test(tag)) return { error: `"${tag}": use letters a-z, digits, spaces and dashes only.` };
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length > MAX_INTERESTS) return { error: `At most ${MAX_INTERESTS} interests.` };
  return { tags };
}

export function formatElapsed(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

export class Matcher {
  /**
   * @param {object} deps
   * @param {import('./socket.js').ChatSocket} deps.socket
   * @param {HTMLElement} deps.elapsedEl
   * @param {HTMLElement} deps.interestsEl
   */
  constructor({ socket, elapsedEl, interestsEl }) {
    this.socket = socket;
    this.elapsedEl = elapsedEl;
    this.interestsEl = interestsEl;
    this.active = false;
    this.interests = [];
    this.startedAt = 0;
    this.timer = 0;
  }

  /** Shows the waiting state and asks for a match once the socket is up (now, or on hello). */
  begin(interests) {
    this.active = true;
    this.interests = interests || [];
    this.startedAt = Date.now();
    this.interestsEl.hidden = this.interests.length === 0;
    this.interestsEl.textContent = this.interests.length ? `Interests: ${this.interests.join(', ')}` : '';
    this.tick();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 1000);
    this.sendMatch();
  }

  /** (Re)sends `match`; the server treats it as idempotent, so this is safe after a reconnect. */
  sendMatch() {
    if (!this.active) return false;
    const frame = { type: 'match' };
    if (this.interests.length) frame.interests = this.interests;
    return this.socket.send(frame);
  }

  cancel() {
    if (!this.active) return;
    this.socket.send({ type: 'cancel' });
    this.end();
  }

  end() {
    this.active = false;
    clearInterval(this.timer);
    this.timer = 0;
  }

  onWaiting() {
    // The elapsed time runs on the local clock from our own `match`: the server's `since`
    // comes from another clock, and a skew would make the counter jump.
    this.tick();
  }

  tick() {
    this.elapsedEl.textContent = formatElapsed(Date.now() - this.startedAt);
  }
}
