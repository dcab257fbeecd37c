// The outbox: our own messages the server has not acknowledged yet, so nothing typed is lost.
// Each entry is shown pale in the log until its `ack` (or our own `message`) comes back, kept in
// store.js when the chat persists, and sent again with its own cmid after every join (the server
// dedupes by cmid). It owns `rc.outbox`; chat.js decides when the channel may be written.

import { store } from './store.js';

const RETRY_LATER_MS = 2_000;      // resend after `rate_limited` / `internal`

/** A client message id: 1-64 of [A-Za-z0-9_-]. */
export function newCmid() {
  let id = '';
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') {
    id = crypto.randomUUID();
  } else {
    // randomUUID needs a secure context; getRandomValues does not.
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64);
}

/** The frame that sends an entry: `file` or `send`. */
export function frameFor(entry) {
  return entry.kind === 'file'
    ? { type: 'file', cmid: entry.cmid, fileId: entry.fileId }
    : { type: 'send', cmid: entry.cmid, text: entry.text };
}

export class Outbox {
  /**
   * @param {object} deps
   * @param {import('./socket.js').ChatSocket} deps.socket
   * @param {import('./log.js').MessageLog} deps.log
   * @param {() => boolean} deps.joined   the current socket is attached to the channel
   * @param {() => void} deps.changed     the entries changed: the chat persists (see save())
   */
  constructor(deps) {
    Object.assign(this, deps);
    this.entries = [];               // unacked entries, also in storage
    this.retryTimer = 0;
  }

  reset() {
    this.entries = [];
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
  }

  /** Takes back a channel's stored entries after a reload, pale in the log again. */
  restore(channelId) {
    for (const entry of store.outbox(channelId)) {
      this.entries.push(entry);
      this.log.addPending(entry, this.pendingLabel());
    }
  }

  save() {
    store.setOutbox(this.entries);
  }

  /** Drops the stored entries (the chat cannot be resumed any more); those in memory stay. */
  forget() {
    store.setOutbox(null);
  }

  /** What a pale own message is waiting for. */
  pendingLabel() {
    return this.socket.connected ? 'sending' : 'waiting for connection';
  }

  add(entry) {
    this.entries.push(entry);
    this.changed();
    this.log.addPending(entry, this.pendingLabel());
    if (this.joined()) this.socket.send(frameFor(entry));
  }

  /** Re-sends every unacked entry with its own cmid; the server dedupes. */
  flush() {
    this.log.labelPending(this.pendingLabel());
    if (!this.joined()) return;
    for (const entry of this.entries) this.socket.send(frameFor(entry));
  }

  retryLater() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = 0;
      this.flush();
    }, RETRY_LATER_MS);
  }

  drop(cmid) {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.cmid !== cmid);
    if (this.entries.length !== before) this.changed();
  }

  onAck(frame) {
    this.drop(frame.cmid);
    this.log.confirm(frame.cmid, frame.seq);
  }

  /** An `error` frame; returns true when it was about one of our entries. */
  onError(frame) {
    const ref = frame.ref;
    const ours = ref && this.entries.some((e) => e.cmid === ref);
    switch (frame.code) {
      case 'rate_limited':
      case 'internal':
        if (ours) this.retryLater();
        return ours;
      case 'too_large':
      case 'unknown_file':
      case 'bad_request':
        if (!ours) return false;
        this.drop(ref);
        this.log.fail(ref, frame.code === 'too_large' ? 'too long, not sent'
          : frame.code === 'unknown_file' ? 'file unavailable, not sent' : 'not sent');
        return true;
      default:
        return false;
    }
  }

  /** The chat ended: nothing waiting will be sent any more. */
  abandon() {
    this.log.failAll('not sent');
    this.entries = [];
  }
}
