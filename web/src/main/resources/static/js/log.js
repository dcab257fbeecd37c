// The message view: owns #log, #new-pill and #typing. It shows what the chat state machine
// (chat.js) tells it; it knows nothing of sockets or storage. Auto-scrolls only when the reader
// is at the bottom.

import { renderMessage, setState, setTime } from './bubble.js';

const BOTTOM_SLACK_PX = 48;        // "at the bottom" within this many pixels

export class MessageLog {
  /**
   * @param {object} deps
   * @param {(seqs: Set<number>) => void} deps.onVisible  the peer messages now on screen changed
   * @param {() => boolean} deps.blur  whether the stranger's pictures start blurred
   */
  constructor({ onVisible, blur }) {
    const $ = (id) => document.getElementById(id);
    this.el = { log: $('log'), pill: $('new-pill'), typing: $('typing') };
    this.onVisible = onVisible;
    this.blur = blur;
    this.bySeq = new Map();          // seq -> message element
    this.pending = new Map();        // cmid -> own element still waiting for its seq
    this.visible = new Set();        // peer seqs on screen
    this.peerName = 'Stranger';
    this.peerSeen = 0;
    this.seenLabel = null;
    this.stick = true;
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), { root: this.el.log, threshold: 0 });
    this.el.log.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.el.pill.addEventListener('click', () => this.scrollToBottom(true));
    new ResizeObserver(() => {
      if (this.stick) this.scrollToBottom();
    }).observe(this.el.log);
  }

  clear() {
    this.observer.disconnect();
    this.bySeq.clear();
    this.pending.clear();
    this.visible.clear();
    this.peerSeen = 0;
    this.seenLabel = null;
    this.stick = true;
    this.el.log.replaceChildren();
    this.el.pill.hidden = true;
    this.hideTyping();
  }

  setPeerName(name) {
    this.peerName = name || 'Stranger';
    this.el.typing.textContent = `${this.peerName} is typing...`;
  }

  has(seq) {
    return this.bySeq.has(seq);
  }

  /** A centred line in the log; `kind` adds a class (common, end, away, bad). */
  note(text, kind = '') {
    const p = document.createElement('p');
    p.className = kind ? `note ${kind}` : 'note';
    p.textContent = text;
    this.el.log.append(p);
    if (this.stick) this.scrollToBottom();
    return p;
  }

  /** The opening line: "You are chatting with <strong>name</strong>. Say hi!" */
  intro(name) {
    const p = this.note('');
    const strong = document.createElement('strong');
    strong.textContent = name;
    p.append('You are chatting with ', strong, '. Say hi!');
  }

  prependNote(text) {
    this.el.log.prepend(this.note(text));
  }

  removeNotes(kind) {
    this.el.log.querySelectorAll(`.note.${kind}`).forEach((n) => n.remove());
  }

  render(m, mine) {
    return renderMessage(m, {
      mine,
      from: this.peerName,
      blur: this.blur(),
      onLoad: () => { if (this.stick) this.scrollToBottom(); },
    });
  }

  /** An own message not stored yet: shown at the end, pale, with its state. */
  addPending(entry, label) {
    const el = this.render({ cmid: entry.cmid, text: entry.text, file: entry.file, sentAt: null }, true);
    el.classList.add('pending');
    setState(el, label);
    this.pending.set(entry.cmid, el);
    this.el.log.append(el);
    this.scrollToBottom(true);
  }

  /** Says why own messages are still pale: "sending" or "waiting for the connection". */
  labelPending(label) {
    for (const el of this.pending.values()) setState(el, label);
  }

  /** A stored message (`message` frame). `live`: it arrived now, not in a replay. Returns whether it is new. */
  add(m, mine, live) {
    const existing = this.bySeq.get(m.seq);
    if (existing) {
      if (m.sentAt) setTime(existing, m.sentAt);
      return false;
    }
    const wasAtBottom = this.atBottom();
    let el = mine ? this.pending.get(m.cmid) : null;
    if (el) {
      this.pending.delete(m.cmid);
      this.confirmElement(el, m.seq, m.sentAt);
    } else {
      el = this.render(m, mine);
      this.place(el, m.seq);
    }
    this.bySeq.set(m.seq, el);
    if (mine) {
      this.updateSeenLabel();
      if (live) this.scrollToBottom(true);
      return true;
    }
    this.hideTyping();
    this.observer.observe(el);
    if (live) {
      if (wasAtBottom) this.scrollToBottom();
      else this.el.pill.hidden = false;
    }
    return true;
  }

  /** `ack` for an own pending message. */
  confirm(cmid, seq) {
    const el = this.pending.get(cmid);
    if (!el) return;
    this.pending.delete(cmid);
    if (this.bySeq.has(seq)) {
      el.remove();
      return;
    }
    this.confirmElement(el, seq, null);
    this.bySeq.set(seq, el);
    this.updateSeenLabel();
  }

  confirmElement(el, seq, sentAt) {
    el.classList.remove('pending');
    el.dataset.seq = String(seq);
    setState(el, null);
    if (sentAt) setTime(el, sentAt);
    else if (!el.querySelector('time').textContent) setTime(el, new Date().toISOString());
    this.place(el, seq);
  }

  fail(cmid, why) {
    const el = this.pending.get(cmid);
    this.pending.delete(cmid);
    if (!el) return;
    el.classList.remove('pending');
    el.classList.add('failed');
    setState(el, why, true);
  }

  failAll(why) {
    for (const cmid of [...this.pending.keys()]) this.fail(cmid, why);
  }

  /** Puts a numbered message in seq order, before the pending ones. */
  place(el, seq) {
    let node = this.el.log.lastElementChild;
    while (node) {
      if (node !== el) {
        const unnumbered = node.classList.contains('pending') || node.classList.contains('failed');
        const nodeSeq = node.dataset.seq ? Number(node.dataset.seq) : null;
        if (!unnumbered && (nodeSeq === null || nodeSeq < seq)) break;
      }
      node = node.previousElementSibling;
    }
    if (node) {
      if (node.nextElementSibling !== el) node.after(el);
    } else {
      this.el.log.prepend(el);
    }
  }

  showTyping() {
    const wasAtBottom = this.atBottom();
    this.el.typing.hidden = false;
    if (wasAtBottom) this.scrollToBottom();
  }

  hideTyping() {
    this.el.typing.hidden = true;
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
    const meta = best.querySelector('.meta');
    if (this.seenLabel && this.seenLabel.parentElement === meta) return;
    if (this.seenLabel) this.seenLabel.remove();
    this.seenLabel = document.createElement('span');
    this.seenLabel.className = 'seen';
    this.seenLabel.textContent = 'Seen';
    meta.append(this.seenLabel);
    if (this.stick) this.scrollToBottom();
  }

  onIntersect(entries) {
    for (const entry of entries) {
      const seq = Number(entry.target.dataset.seq);
      if (entry.isIntersecting) this.visible.add(seq);
      else this.visible.delete(seq);
    }
    this.onVisible(this.visible);
  }

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
    this.el.log.scrollTop = this.el.log.scrollHeight;
    this.stick = true;
    this.el.pill.hidden = true;
  }

  /** After opening a channel with history: the first peer message not seen yet, under a divider. */
  scrollToFirstUnseen(seenUpTo) {
    let first = null;
    let firstSeq = Infinity;
    for (const [seq, el] of this.bySeq) {
      if (seq > seenUpTo && seq < firstSeq && el.classList.contains('theirs')) {
        first = el;
        firstSeq = seq;
      }
    }
    if (!first) {
      this.scrollToBottom(true);
      return;
    }
    const divider = document.createElement('p');
    divider.className = 'note divider';
    divider.textContent = 'Unread messages';
    first.before(divider);
    this.el.log.scrollTop = Math.max(0, divider.offsetTop - 12);
    this.stick = this.atBottom();
    this.el.pill.hidden = this.stick;
  }
}
