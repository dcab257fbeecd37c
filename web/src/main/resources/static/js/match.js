// The waiting screen (#screen-waiting): `match` -> `waiting` -> `matched`, or `cancel` (the
// Cancel button or Escape) -> `cancelled`.

const MAX_INTERESTS = 5;
const MAX_TAG_CHARS = 24;
// Letters (with their combining marks) and digits of any script, spaces and dashes.
const TAG = /^[\p{L}\p{M}\p{Nd} -]+$/u;

/** One tag as the server compares them: NFKC, lower case, trimmed, inner spaces collapsed. */
export function normalizeTag(piece) {
  return String(piece).normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

/**
 * "Music, échecs ,, 音楽" -> {tags: ["music", "échecs", "音楽"]}; bad input -> {error}.
 * Mirrors the server's rule: up to 5 tags of 1-24 letters, digits, spaces and dashes, any
 * script, normalised as above; duplicates merged, empty pieces dropped.
 */
export function parseInterests(text) {
  const tags = [];
  for (const piece of String(text || '').split(/[,،、，]/)) {
    const tag = normalizeTag(piece);
    if (!tag) continue;
    if ([...tag].length > MAX_TAG_CHARS) return { error: `"${tag}" is too long (at most ${MAX_TAG_CHARS} characters).` };
    if (!TAG.test(tag)) return { error: `"${tag}": use letters, digits, spaces and dashes only.` };
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
   * @param {() => void} deps.onCancel  the visitor cancelled (button or Escape)
   */
  constructor({ socket, onCancel }) {
    const $ = (id) => document.getElementById(id);
    this.socket = socket;
    this.el = {
      screen: $('screen-waiting'),
      elapsed: $('elapsed'),
      interests: $('waiting-interests'),
      cooldown: $('waiting-cooldown'),
      cancel: $('cancel'),
    };
    this.active = false;
    this.interests = [];
    this.startedAt = 0;
    this.timer = 0;
    this.el.cancel.addEventListener('click', () => onCancel());
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.active || this.el.screen.hidden || event.defaultPrevented) return;
      event.preventDefault();
      onCancel();
    });
  }

  /**
   * Shows the waiting state and asks for a match once the socket is up (now, or on hello).
   * `leftPeer`: the stranger just left behind, whom the server keeps away for a while.
   */
  begin(interests, leftPeer = null) {
    this.active = true;
    this.interests = interests || [];
    this.startedAt = Date.now();
    this.el.interests.hidden = this.interests.length === 0;
    this.el.interests.textContent = this.interests.length ? `Interests: ${this.interests.join(', ')}` : '';
    this.el.cooldown.hidden = !leftPeer;
    this.el.cooldown.textContent = leftPeer ? `You will not be paired with ${leftPeer} again right away.` : '';
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

  focus() {
    this.el.cancel.focus();
  }

  tick() {
    this.el.elapsed.textContent = formatElapsed(Date.now() - this.startedAt);
  }
}
