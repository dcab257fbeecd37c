// The chat screen: the message log, the outbox that never loses a message, seen receipts,
// typing, presence and the end of a chat. All user text goes into the page as text nodes.

import { store } from './store.js';
import { humanSize } from './upload.js';

const TYPING_IDLE_MS = 3_000;      // we stop "typing" after this long without a keystroke
const PEER_TYPING_TTL_MS = 6_000;  // a peer's "typing" that is not renewed fades after this
const RETRY_LATER_MS = 2_000;      // resend after `rate_limited` / `internal`
const BOTTOM_SLACK_PX = 48;        // "at the bottom" within this many pixels

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

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

/** Appends `text` to `parent`, turning http(s) URLs into links; everything else stays text. */
export function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    // Trailing punctuation usually ends the sentence, not the URL.
    while (/[.,!?;:]$/.test(url) || (url.endsWith(')') && !url.includes('('))) url = url.slice(0, -1);
    const start = match.index;
    let href = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (start > last) parent.append(document.createTextNode(text.slice(last, start)));
    const a = document.createElement('a');
    a.href = href;
    a.rel = 'noopener noreferrer nofollow';
    a.target = '_blank';
    a.textContent = url;
    parent.append(a);
    last = start + url.length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

/** A same-origin path such as "/api/files/..": the only URLs we put into src/href for files. */
function sameOriginUrl(url) {
  if (typeof url !== 'string' || !url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.origin === window.location.origin ? parsed.href : null;
  } catch {
    return null;
  }
}

function fileIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2Zm7 1.5V9h5.5L13 3.5ZM12 11v5.6l-2.3-2.3-1.4 1.4 4.7 4.7 4.7-4.7-1.4-1.4-2.3 2.3V11h-2Z');
  svg.append(path);
  return svg;
}

export class Chat {
  /**
   * @param {object} deps
   * @param {import('./socket.js').ChatSocket} deps.socket
   * @param {() => {id: string, name: string}|null} deps.me
   * @param {() => object} deps.limits
   * @param {(frame) => void} deps.onPeerMessage  a live message from the peer (unread count, notification)
   * @param {(why: string) => void} deps.onEnded   the chat ended or can no longer be opened
   * @param {(text: string) => void} deps.toast
   */
  constructor({ socket, me, limits, onPeerMessage, onEnded, toast }) {
    this.socket = socket;
    this.me = me;
    this.limits = limits;
    this.onPeerMessage = onPeerMessage;
    this.onEndedCallback = onEnded;
    this.toast = toast;

    const $ = (id) => document.getElementById(id);
    this.el = {
      log: $('log'),
      pill: $('new-pill'),
      peerName: $('peer-name'),
      presence: $('presence'),
      presenceText: $('presence-text'),
      typing: $('typing'),
      composer: $('composer'),
      message: $('message'),
      send: $('send'),
      counter: $('counter'),
      error: $('composer-error'),
      ended: $('ended'),
      endedText: $('ended-text'),
      actions: [$('next'), $('leave'), $('report'), $('attach')],
      actionBar: document.querySelector('.chat-actions'),
    };

    this.channel = null;
    this.reset();

    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), {
      root: this.el.log,
      threshold: 0,
    });
    this.el.log.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.el.pill.addEventListener('click', () => {
      this.scrollToBottom(true);
      this.el.message.focus({ preventScroll: true });
    });
    new ResizeObserver(() => {
      if (this.stick) this.scrollToBottom();
    }).observe(this.el.log);
    document.addEventListener('visibilitychange', () => this.maybeSendSeen());
  }

  reset() {
    this.bySeq = new Map();          // seq -> message element (every rendered message)
    this.pending = new Map();        // cmid -> element still waiting for its seq
    this.outbox = [];                // unacked entries, also in localStorage
    this.visiblePeerSeqs = new Set();
    this.peerSeen = 0;
    this.seenSent = 0;
    this.maxRendered = 0;            // highest seq received through `message` on this page
    this.joinedHere = false;         // the current socket is attached to the channel
    this.initialJoinDone = false;
    this.ended = false;
    this.reported = false;
    this.stick = true;               // the reader is at the bottom of the log
    this.typingActive = false;
    clearTimeout(this.typingTimer);
    clearTimeout(this.peerTypingTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    this.seenLabel = null;
    this.joinRetried = false;
  }

  get open() {
    return this.channel !== null && !this.ended;
  }

  // ---- opening ----------------------------------------------------------------------------

  /**
   * Shows a channel. `matched` (fresh: the server already attached this socket) or a stored
   * channel after a reload (the caller sends `join` once the socket says hello).
   */
  show(channel, { fresh }) {
    if (this.observer) this.observer.disconnect();
    this.reset();
    this.channel = channel;
    this.seenSent = channel.seen || 0;
    this.el.log.replaceChildren();
    this.el.pill.hidden = true;
    this.el.typing.hidden = true;
    this.el.ended.hidden = true;
    this.el.composer.hidden = false;
    this.el.error.hidden = true;
    this.el.actions.forEach((b) => { b.disabled = false; });
    this.el.actionBar.hidden = false;
    this.setPeer(channel.peer);
    this.setPresence(true);

    const peerName = (channel.peer && channel.peer.name) || 'a stranger';
    const intro = this.note('');
    intro.append('You are chatting with ');
    const strong = document.createElement('strong');
    strong.textContent = peerName;
    intro.append(strong, '. Say hi!');
    const common = channel.commonInterests || [];
    if (common.length) this.note(`You both like: ${common.join(', ')}`).classList.add('common');

    for (const entry of store.outbox(channel.channelId)) {
      this.outbox.push(entry);
      this.renderPending(entry);
    }
    if (fresh) {
      this.joinedHere = true;
      this.initialJoinDone = true;
      this.flushOutbox();
    }
    this.persist();
    this.scrollToBottom();
  }

  /** Called on every `hello`: the new socket must (re)join the channel. */
  onHello() {
    this.joinedHere = false;
    this.visiblePeerSeqs.clear();
    if (!this.open) return;
    this.sendJoin();
  }

  sendJoin() {
    this.socket.send({ type: 'join', token: this.channel.token, after: this.maxRendered });
  }

  onJoined(frame) {
    if (!this.channel || frame.channelId !== this.channel.channelId) return;
    this.joinedHere = true;
    this.joinRetried = false;
    if (frame.peer) this.setPeer(frame.peer);
    this.setPresence(frame.peerOnline !== false);
    if (Number.isInteger(frame.peerSeen)) this.setPeerSeen(frame.peerSeen);
    if (Number.isInteger(frame.firstSeq) && frame.firstSeq > 1 && this.maxRendered < frame.firstSeq - 1
        && !this.initialJoinDone) {
      const note = this.note('Older messages are no longer available.');
      this.el.log.prepend(note);
    }
    if (!this.initialJoinDone) {
      this.initialJoinDone = true;
      this.scrollToFirstUnseen();
    }
    this.flushOutbox();
    this.maybeSendSeen();
  }

  // ---- sending ----------------------------------------------------------------------------

  /** Queues a text message; returns an error text, or null when it is on its way. */
  sendText(text) {
    if (!this.open) return 'This chat has ended.';
    const limits = this.limits() || {};
    const chars = [...text].length;
    if (limits.maxTextChars && chars > limits.maxTextChars) {
      return `Too long: at most ${limits.maxTextChars} characters.`;
    }
    const entry = { cmid: newCmid(), channelId: this.channel.channelId, kind: 'text', text, at: new Date().toISOString() };
    if (limits.maxMessageBytes && new TextEncoder().encode(JSON.stringify(this.frameFor(entry))).length > limits.maxMessageBytes) {
      return 'Too long to send in one message.';
    }
    this.stopTyping();
    this.enqueue(entry);
    return null;
  }

  /** Queues an uploaded file. */
  sendFile(file) {
    if (!this.open) return;
    const entry = {
      cmid: newCmid(), channelId: this.channel.channelId, kind: 'file', fileId: file.id,
      file: { id: file.id, name: file.name, size: file.size, contentType: file.contentType, url: file.url },
      at: new Date().toISOString(),
    };
    this.enqueue(entry);
  }

  enqueue(entry) {
    this.outbox.push(entry);
    this.persist();
    this.renderPending(entry);
    this.scrollToBottom(true);
    if (this.joinedHere) this.socket.send(this.frameFor(entry));
  }

  frameFor(entry) {
    return entry.kind === 'file'
      ? { type: 'file', cmid: entry.cmid, fileId: entry.fileId }
      : { type: 'send', cmid: entry.cmid, text: entry.text };
  }

  /** Re-sends every unacked entry with its own cmid; the server dedupes. */
  flushOutbox() {
    if (!this.joinedHere) return;
    for (const entry of this.outbox) this.socket.send(this.frameFor(entry));
  }

  retryLater() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = 0;
      this.flushOutbox();
    }, RETRY_LATER_MS);
  }

  dropFromOutbox(cmid) {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((e) => e.cmid !== cmid);
    if (this.outbox.length !== before) this.persist();
  }

  // ---- typing -----------------------------------------------------------------------------

  /** The composer changed. */
  onInput(text) {
    if (!this.open || !this.joinedHere) return;
    if (!text.trim()) {
      this.stopTyping();
      return;
    }
    if (!this.typingActive) {
      this.typingActive = this.socket.send({ type: 'typing', active: true });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (!this.typingActive) return;
    this.typingActive = false;
    this.socket.send({ type: 'typing', active: false });
  }

  onTyping(frame) {
    const me = this.me();
    if (!this.open || (me && frame.from === me.id)) return;
    clearTimeout(this.peerTypingTimer);
    if (frame.active) {
      const wasAtBottom = this.atBottom();
      this.el.typing.hidden = false;
      if (wasAtBottom) this.scrollToBottom();
      this.peerTypingTimer = setTimeout(() => this.hideTyping(), PEER_TYPING_TTL_MS);
    } else {
      this.hideTyping();
    }
  }

  hideTyping() {
    clearTimeout(this.peerTypingTimer);
    this.el.typing.hidden = true;
  }

  // ---- receiving --------------------------------------------------------------------------

  onMessage(m) {
    if (!this.channel || m.channelId !== this.channel.channelId || !Number.isInteger(m.seq)) return;
    if (m.seq > this.maxRendered) this.maxRendered = m.seq;
    if (m.seq > this.channel.lastSeq) {
      this.channel.lastSeq = m.seq;
      this.persist();
    }
    const existing = this.bySeq.get(m.seq);
    if (existing) {
      // Already shown (a replay after a reconnect, or the ack came first): at most fill in the time.
      if (m.sentAt) this.setTime(existing, m.sentAt);
      return;
    }
    const me = this.me();
    const mine = me !== null && m.from === me.id;
    const live = this.initialJoinDone;
    const wasAtBottom = this.atBottom();

    let el = mine ? this.pending.get(m.cmid) : null;
    if (el) {
      this.pending.delete(m.cmid);
      this.dropFromOutbox(m.cmid);
      this.confirm(el, m.seq, m.sentAt);
    } else {
      el = this.renderMessage(m, mine);
      this.place(el, m.seq);
    }
    this.bySeq.set(m.seq, el);

    if (mine) {
      this.updateSeenLabel();
      if (live) this.scrollToBottom(true);
      return;
    }
    this.hideTyping();
    this.observer.observe(el);
    if (!live) return;
    if (wasAtBottom) this.scrollToBottom();
    else this.el.pill.hidden = false;
    if (this.onPeerMessage) this.onPeerMessage(m);
  }

  onAck(frame) {
    if (!this.channel || !Number.isInteger(frame.seq)) return;
    this.dropFromOutbox(frame.cmid);
    const el = this.pending.get(frame.cmid);
    if (!el) return;
    this.pending.delete(frame.cmid);
    if (this.bySeq.has(frame.seq)) {
      el.remove();
      return;
    }
    this.confirm(el, frame.seq, null);
    this.bySeq.set(frame.seq, el);
    this.updateSeenLabel();
  }

  onSeen(frame) {
    if (!this.channel || !Number.isInteger(frame.seq)) return;
    const me = this.me();
    if (me && frame.by === me.id) {
      // Another tab of ours reported it: no need to repeat it from here.
      if (frame.seq > this.seenSent) this.seenSent = frame.seq;
      return;
    }
    this.setPeerSeen(frame.seq);
  }

  onPresence(frame) {
    if (!this.open) return;
    this.setPresence(frame.peerOnline !== false);
    if (frame.peerOnline === false) this.hideTyping();
  }

  onReported() {
    this.reported = true;
    this.toast('Thank you. The report was sent.');
  }

  onEnded(frame) {
    if (!this.channel || frame.channelId !== this.channel.channelId || this.ended) return;
    const me = this.me();
    let text;
    if (this.reported) text = 'You reported this stranger. The chat has ended.';
    else if (frame.reason === 'expired') text = 'This chat expired.';
    else if (me && frame.by === me.id) text = 'You left the chat.';
    else text = 'Stranger left';
    this.finish(text, 'ended');
  }

  /** An `error` frame; returns true when it was about this chat. */
  onError(frame) {
    const ref = frame.ref;
    const el = ref ? this.pending.get(ref) : null;
    switch (frame.code) {
      case 'channel_closed':
      case 'invalid_token':
        if (!this.channel || this.ended) return false;
        if (!this.initialJoinDone) {
          // The stored channel of a returning visitor is gone: forget it, back to the start.
          this.close();
          this.onEndedCallback('gone');
        } else {
          this.finish(frame.code === 'channel_closed' ? 'This chat has ended.' : 'This chat is no longer available.', 'closed');
        }
        return true;
      case 'not_in_channel':
        // E.g. a send that raced ahead of our join: join again, once.
        if (this.open && !this.joinRetried) {
          this.joinRetried = true;
          this.joinedHere = false;
          this.sendJoin();
          return true;
        }
        return false;
      case 'rate_limited':
      case 'internal':
        if (el) {
          this.retryLater();
          return true;
        }
        if (frame.code === 'rate_limited') {
          this.toast('Slow down a little.');
          return true;
        }
        return false;
      case 'too_large':
      case 'unknown_file':
      case 'bad_request':
        if (el) {
          this.fail(ref, frame.code === 'too_large' ? 'too long, not sent'
            : frame.code === 'unknown_file' ? 'file unavailable, not sent' : 'not sent');
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  /** Ends the chat on this page: banner, no composer, nothing left to resend. */
  finish(text, why) {
    this.ended = true;
    this.hideTyping();
    this.stopTyping();
    for (const cmid of this.pending.keys()) this.markFailed(this.pending.get(cmid), 'not sent');
    this.pending.clear();
    this.outbox = [];
    this.forget();
    this.note(text).classList.add('end');
    this.el.endedText.textContent = text;
    this.el.ended.hidden = false;
    this.el.composer.hidden = true;
    this.el.pill.hidden = true;
    this.el.actions.forEach((b) => { b.disabled = true; });
    this.el.actionBar.hidden = true;
    this.setPresence(false);
    this.scrollToBottom(true);
    this.onEndedCallback(why);
  }

  /** Forgets the stored channel and outbox (the chat cannot be resumed any more). */
  forget() {
    store.setChannel(null);
    store.setOutbox(null);
  }

  /** Leaves the screen quietly (e.g. `Next`): the page no longer follows this channel. */
  close() {
    this.stopTyping();
    this.forget();
    this.channel = null;
    this.ended = true;
    this.hideTyping();
  }

  persist() {
    if (!this.channel || this.ended) return;
    store.setChannel({
      channelId: this.channel.channelId,
      token: this.channel.token,
      lastSeq: this.channel.lastSeq || 0,
      seen: this.seenSent,
      peer: this.channel.peer || null,
      commonInterests: this.channel.commonInterests || [],
    });
    store.setOutbox(this.outbox);
  }

  // ---- seen -------------------------------------------------------------------------------

  onIntersect(entries) {
    for (const entry of entries) {
      const seq = Number(entry.target.dataset.seq);
      if (entry.isIntersecting) this.visiblePeerSeqs.add(seq);
      else this.visiblePeerSeqs.delete(seq);
    }
    this.maybeSendSeen();
  }

  /** Reports the newest peer message on screen, only while the tab is visible, only forward. */
  maybeSendSeen() {
    if (!this.open || !this.joinedHere || document.visibilityState !== 'visible') return;
    let max = 0;
    for (const seq of this.visiblePeerSeqs) if (seq > max) max = seq;
    if (max <= this.seenSent) return;
    if (this.socket.send({ type: 'seen', seq: max })) {
      this.seenSent = max;
      this.persist();
    }
  }

  setPeerSeen(seq) {
    if (seq <= this.peerSeen) return;
    this.peerSeen = seq;
    this.updateSeenLabel();
  }

  /** "Seen" goes under the last of our messages the peer has seen. */
  updateSeenLabel() {
    let best = null;
    let bestSeq = 0;
    for (const [seq, el] of this.bySeq) {
      if (seq <= this.peerSeen && seq > bestSeq && el.classList.contains('mine')) {
        best = el;
        bestSeq = seq;
      }
    }
    if (!best) return;
    if (this.seenLabel && this.seenLabel.parentElement === best.querySelector('.meta')) return;
    if (this.seenLabel) this.seenLabel.remove();
    const label = document.createElement('span');
    label.className = 'seen';
    label.textContent = 'Seen';
    best.querySelector('.meta').append(label);
    this.seenLabel = label;
    if (this.stick) this.scrollToBottom();
  }

  // ---- rendering --------------------------------------------------------------------------

  setPeer(peer) {
    if (!peer) return;
    if (this.channel) this.channel.peer = { id: peer.id, name: peer.name };
    this.el.peerName.textContent = peer.name || 'Stranger';
  }

  setPresence(online) {
    this.el.presence.dataset.online = String(online);
    this.el.presenceText.textContent = online ? 'online' : 'offline';
    this.el.presence.title = online ? 'Online' : 'Offline';
  }

  note(text) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = text;
    this.el.log.append(p);
    return p;
  }

  renderPending(entry) {
    const el = this.renderMessage(
      { cmid: entry.cmid, text: entry.text, file: entry.file, sentAt: null },
      true,
    );
    el.classList.add('pending');
    this.setState(el, 'sending');
    this.pending.set(entry.cmid, el);
    this.el.log.append(el);
  }

  renderMessage(m, mine) {
    const el = document.createElement('div');
    el.className = `msg ${mine ? 'mine' : 'theirs'}`;
    if (m.cmid) el.dataset.cmid = m.cmid;
    if (Number.isInteger(m.seq)) el.dataset.seq = String(m.seq);

    const who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = mine ? 'You: ' : `${(this.channel && this.channel.peer && this.channel.peer.name) || 'Stranger'}: `;

    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.append(who);
    if (m.file) this.renderFile(bubble, m.file);
    else appendLinkified(bubble, typeof m.text === 'string' ? m.text : '');

    const meta = document.createElement('div');
    meta.className = 'meta';
    const time = document.createElement('time');
    meta.append(time);
    el.append(bubble, meta);
    if (m.sentAt) this.setTime(el, m.sentAt);
    return el;
  }

  renderFile(bubble, file) {
    const url = sameOriginUrl(file.url);
    const name = typeof file.name === 'string' && file.name ? file.name : 'file';
    const isImage = typeof file.contentType === 'string' && file.contentType.startsWith('image/');
    if (url && isImage) {
      bubble.classList.add('media');
      const a = document.createElement('a');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener';
      a.title = `${name}: open full size`;
      const img = document.createElement('img');
      img.alt = name;
      img.decoding = 'async';
      img.addEventListener('load', () => {
        if (this.stick) this.scrollToBottom();
      });
      img.addEventListener('error', () => {
        // Expired or unreadable: fall back to a plain link.
        bubble.classList.remove('media');
        bubble.replaceChildren();
        this.renderFileLink(bubble, url, name, file.size);
      }, { once: true });
      img.src = url;
      a.append(img);
      bubble.append(a);
      return;
    }
    this.renderFileLink(bubble, url, name, file.size);
  }

  renderFileLink(bubble, url, name, size) {
    const link = document.createElement(url ? 'a' : 'span');
    link.className = 'file-link';
    if (url) {
      link.href = url;
      link.rel = 'noopener';
      link.target = '_blank';
      link.setAttribute('download', name);
    }
    const label = document.createElement('span');
    label.className = 'file-name';
    label.textContent = name;
    const sizeEl = document.createElement('span');
    sizeEl.className = 'file-size';
    sizeEl.textContent = Number.isFinite(size) ? humanSize(size) : '';
    link.append(fileIcon(), label, sizeEl);
    bubble.append(link);
  }

  setTime(el, sentAt) {
    const time = el.querySelector('time');
    const date = new Date(sentAt);
    if (!time || Number.isNaN(date.getTime())) return;
    time.dateTime = date.toISOString();
    time.textContent = timeFormat.format(date);
  }

  setState(el, text, failed = false) {
    const meta = el.querySelector('.meta');
    let state = meta.querySelector('.state');
    if (!text) {
      if (state) state.remove();
      return;
    }
    if (!state) {
      state = document.createElement('span');
      state.className = 'state';
      meta.append(state);
    }
    state.textContent = text;
    state.classList.toggle('state-failed', failed);
  }

  confirm(el, seq, sentAt) {
    el.classList.remove('pending');
    el.dataset.seq = String(seq);
    this.setState(el, null);
    if (sentAt) this.setTime(el, sentAt);
    else if (!el.querySelector('time').textContent) this.setTime(el, new Date().toISOString());
    this.place(el, seq);
  }

  fail(cmid, why) {
    const el = this.pending.get(cmid);
    this.pending.delete(cmid);
    this.dropFromOutbox(cmid);
    if (el) this.markFailed(el, why);
  }

  markFailed(el, why) {
    el.classList.remove('pending');
    el.classList.add('failed');
    this.setState(el, why, true);
  }

  /** Puts a numbered message in seq order, before the pending ones. */
  place(el, seq) {
    const log = this.el.log;
    let node = log.lastElementChild;
    while (node) {
      if (node !== el) {
        const isPending = node.classList.contains('pending') || node.classList.contains('failed');
        const nodeSeq = node.dataset.seq ? Number(node.dataset.seq) : null;
        if (!isPending && (nodeSeq === null || nodeSeq < seq)) break;
      }
      node = node.previousElementSibling;
    }
    if (node) {
      if (node.nextElementSibling !== el) node.after(el);
    } else {
      log.prepend(el);
    }
  }

  // ---- scrolling --------------------------------------------------------------------------

  atBottom() {
    const log = this.el.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK_PX;
  }

  onScroll() {
    this.stick = this.atBottom();
    if (this.stick) this.el.pill.hidden = true;
  }

  scrollToBottom(force = false) {
    if (!force && !this.stick) return;
    const log = this.el.log;
    log.scrollTop = log.scrollHeight;
    this.stick = true;
    this.el.pill.hidden = true;
  }

  /** After opening a channel with history: the first peer message we had not seen yet. */
  scrollToFirstUnseen() {
    let first = null;
    let firstSeq = Infinity;
    for (const [seq, el] of this.bySeq) {
      if (seq > this.seenSent && seq < firstSeq && el.classList.contains('theirs')) {
        first = el;
        firstSeq = seq;
      }
    }
    if (!first) {
      this.scrollToBottom(true);
      return;
    }
    const log = this.el.log;
    const divider = document.createElement('p');
    divider.className = 'note divider';
    divider.textContent = 'Unread messages';
    first.before(divider);
    log.scrollTop = Math.max(0, divider.offsetTop - 12);
    this.stick = this.atBottom();
    this.el.pill.hidden = this.stick;
  }
}
