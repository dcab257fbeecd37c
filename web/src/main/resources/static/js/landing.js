// The landing page: owns #screen-home (name, interests, picture blur setting, the proof of work
// progress, the online count). On Start it makes sure there is a guest with that name, then
// hands over to matching.

import * as api from './api.js';
import { parseInterests } from './match.js';
import { store } from './store.js';

const MAX_NAME_CHARS = 24;
const STATS_EVERY_MS = 30_000;     // the server's figures are up to 10 s old anyway

export function validName(raw) {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1) return { error: 'Please enter a name.' };
  if (length > MAX_NAME_CHARS) return { error: `At most ${MAX_NAME_CHARS} characters.` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return { error: 'The name has characters we cannot show.' };
  return { name };
}

export class Landing {
  /**
   * @param {object} deps
   * @param {() => Promise<object|null>} deps.currentGuest  the guest of this browser, if any
   * @param {(guest, tags: string[], fresh: boolean) => void} deps.onReady  a guest exists: start matching
   */
  constructor({ currentGuest, onReady }) {
    const $ = (id) => document.getElementById(id);
    this.el = {
      screen: $('screen-home'),
      form: $('home-form'),
      name: $('name'),
      interests: $('interests'),
      blur: $('blur'),
      error: $('home-error'),
      start: $('start'),
      pow: $('pow'),
      powProgress: $('pow-progress'),
      online: $('online'),
    };
    this.currentGuest = currentGuest;
    this.onReady = onReady;
    this.me = null;
    this.statsTimer = 0;
    this.el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.el.blur.addEventListener('change', () => store.setBlur(this.el.blur.checked));
  }

  /** Fills the form from what this browser remembers. */
  restore(guest) {
    this.el.name.value = store.name() || (guest ? guest.name : '');
    this.el.interests.value = store.interests();
    this.el.blur.checked = store.blur();
    if (guest) this.me = guest;
  }

  interests() {
    return parseInterests(this.el.interests.value).tags || [];
  }

  /** The landing page is shown (or left): the online count refreshes only while it is. */
  setShown(shown, message = '') {
    clearInterval(this.statsTimer);
    if (!shown) return;
    this.setBusy(false);
    this.el.error.textContent = message;
    this.refreshStats();
    this.statsTimer = setInterval(() => this.refreshStats(), STATS_EVERY_MS);
  }

  async refreshStats() {
    try {
      const stats = await api.stats();
      if (!stats || !Number.isInteger(stats.online)) return;
      const waiting = Number.isInteger(stats.waiting) && stats.waiting > 0 ? `, ${stats.waiting} waiting` : '';
      this.el.online.textContent = `${stats.online} online now${waiting}`;
      this.el.online.hidden = false;
    } catch {
      this.el.online.hidden = true; // an old server, or none: say nothing rather than something wrong
    }
  }

  focus(coarse) {
    if (!coarse) this.el.name.focus();
  }

  setBusy(busy) {
    this.el.start.disabled = busy;
    this.el.name.readOnly = busy;
    this.el.interests.readOnly = busy;
    this.el.start.textContent = busy ? 'Starting...' : 'Start';
    if (!busy) this.el.pow.hidden = true;
  }

  invalid(field, text) {
    field.setAttribute('aria-invalid', 'true');
    this.el.error.textContent = text;
    field.focus();
  }

  async submit() {
    const { name, interests, error } = this.el;
    error.textContent = '';
    name.removeAttribute('aria-invalid');
    interests.removeAttribute('aria-invalid');
    const checked = validName(name.value);
    if (checked.error) return this.invalid(name, checked.error);
    const parsed = parseInterests(interests.value);
    if (parsed.error) return this.invalid(interests, parsed.error);
    store.setName(checked.name);
    store.setInterests(interests.value.trim());

    this.setBusy(true);
    try {
      let guest = this.me || await this.currentGuest();
      let fresh = false;
      if (!guest || guest.name !== checked.name) {
        guest = await this.createGuest(checked.name);
        store.setHadGuest(true);
        fresh = true;
      }
      this.me = { id: guest.id, name: guest.name };
      this.setBusy(false);
      this.onReady(this.me, parsed.tags, fresh);
    } catch (e) {
      this.setBusy(false);
      error.textContent = e && e.message ? e.message : 'Something went wrong. Please try again.';
    }
  }

  async createGuest(name) {
    for (let attempt = 0; ; attempt++) {
      let challenge = { bits: 0 };
      try {
        challenge = await api.challenge();
      } catch (e) {
        // A server without proof of work may not know the endpoint at all.
        if (!(e instanceof api.ApiError) || e.status !== 404) throw e;
      }
      try {
        if (challenge && challenge.bits > 0) {
          const nonce = await this.solve(challenge.challenge, challenge.bits);
          return await api.createGuest(name, { challenge: challenge.challenge, nonce });
        }
        return await api.createGuest(name);
      } catch (e) {
        // A challenge that expired while we worked: one more go with a new one.
        if (attempt === 0 && e instanceof api.ApiError && e.status === 400 && challenge.bits > 0) continue;
        throw e;
      }
    }
  }

  /** Proof of work in a Web Worker, with a progress bar that never claims 100 % too early. */
  solve(challenge, bits) {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./pow-worker.js', import.meta.url));
      const expected = 2 ** bits;
      const fail = () => {
        worker.terminate();
        reject(new Error('Could not prepare your session. Please try again.'));
      };
      this.el.pow.hidden = false;
      this.el.powProgress.value = 0;
      worker.addEventListener('message', (event) => {
        const msg = event.data || {};
        if (msg.type === 'progress') {
          this.el.powProgress.value = Math.min(99, 100 * (1 - Math.exp(-msg.tries / expected)));
        } else if (msg.type === 'done') {
          this.el.powProgress.value = 100;
          worker.terminate();
          resolve(msg.nonce);
        } else if (msg.type === 'error') {
          fail();
        }
      });
      worker.addEventListener('error', fail);
      worker.postMessage({ challenge, bits });
    });
  }
}
