// The chat state machine: one channel, seen watermarks, the peer's presence and the end of the
// chat; its unacked messages are the outbox's (outbox.js), "typing" both ways is typing.js's. It
// speaks the protocol and keeps the channel in store.js; what the visitor sees it hands to the
// views (log.js, head.js).

import { store } from './store.js';
import { Outbox, frameFor, newCmid } from './outbox.js';
import { Typing } from './typing.js';

export class Chat {
  /**
   * @param {object} deps
   * @param {import('./socket.js').ChatSocket} deps.socket
   * @param {import('./log.js').MessageLog} deps.log
   * @param {import('./head.js').ChatHead} deps.head
   * @param {() => {id: string, name: string}|null} deps.me
   * @param {() => object} deps.limits
   * @param {(m) => void} deps.onPeerMessage  a live message from the peer
   * @param {(why: string, ended: object|null) => void} deps.onFinished  ended (`ended` frame: 'ended'),
   *   closed under us ('closed') or a stored channel that cannot be opened ('gone')
   */
  constructor(deps) {
    Object.assign(this, deps);
    this.channel = null;
    this.outbox = new Outbox({ socket: this.socket, log: this.log, joined: () => this.joinedHere, changed: () => this.persist() });
    this.typing = new Typing({ socket: this.socket, log: this.log });
    this.reset();
    document.addEventListener('visibilitychange', () => this.maybeSendSeen());
  }

  reset() {
    this.outbox.reset();
    this.seenSent = 0;
    this.maxRendered = 0;            // highest seq received through `message`
    this.joinedHere = false;         // the current socket is attached to the channel
    this.initialJoinDone = false;
    this.ended = false;
    this.reported = false;
    this.peerAway = false;
    this.typing.reset();
    this.joinRetried = false;
  }

  get open() {
    return this.channel !== null && !this.ended;
  }

  get peerName() {
    return (this.channel && this.channel.peer && this.channel.peer.name) || 'Stranger';
  }

  /** Shows a channel: `matched` (fresh: this socket is attached) or a stored one after a reload. */
  show(channel, { fresh, hadInterests = false }) {
    this.reset();
    this.channel = channel;
    this.seenSent = channel.seen || 0;
    this.log.clear();
    this.setPeer(channel.peer);
    this.head.open();
    this.head.setPresence('online', this.peerName);
    this.log.intro(this.peerName);
    const common = channel.commonInterests || [];
    if (common.length) this.log.note(`You both like: ${common.join(', ')}`, 'common');
    else if (fresh && hadInterests) this.log.note('No one shared your interests, so this is a random stranger.', 'common');

    this.outbox.restore(channel.channelId);
    if (fresh) {
      this.joinedHere = true;
      this.initialJoinDone = true;
      this.outbox.flush();
    }
    this.persist();
    this.log.scrollToBottom(true);
  }

  /** Called on every `hello`: the new socket must (re)join the channel. */
  onHello() {
    this.joinedHere = false;
    if (this.open) this.sendJoin();
  }

  sendJoin() {
    this.socket.send({ type: 'join', token: this.channel.token, after: this.maxRendered });
  }

  onJoined(frame) {
    if (!this.channel || frame.channelId !== this.channel.channelId || this.ended) return;
    this.joinedHere = true;
    this.joinRetried = false;
    if (frame.peer) this.setPeer(frame.peer);
    this.onPresence({ peerOnline: frame.peerOnline !== false });
    this.head.setPresence(this.peerAway ? 'away' : 'online', this.peerName);
    if (Number.isInteger(frame.peerSeen)) this.log.setPeerSeen(frame.peerSeen);
    if (!this.initialJoinDone) {
      if (Number.isInteger(frame.firstSeq) && frame.firstSeq > 1 && this.maxRendered < frame.firstSeq - 1) {
        this.log.prependNote('Older messages are no longer available.');
      }
      this.initialJoinDone = true;
      this.log.scrollToFirstUnseen(this.seenSent);
    }
    this.outbox.flush();
    this.maybeSendSeen();
  }

  // ---- sending ----------------------------------------------------------------------------

  /** Queues a text message; returns an error text, or null when it is on its way. */
  sendText(text) {
    if (!this.open) return 'This chat has ended.';
    const limits = this.limits() || {};
    if (limits.maxTextChars && [...text].length > limits.maxTextChars) {
      return `Too long: at most ${limits.maxTextChars} characters.`;
    }
    const entry = { cmid: newCmid(), channelId: this.channel.channelId, kind: 'text', text, at: new Date().toISOString() };
    if (limits.maxMessageBytes && new TextEncoder().encode(JSON.stringify(frameFor(entry))).length > limits.maxMessageBytes) {
      return 'Too long to send in one message.';
    }
    this.typing.stop();
    this.outbox.add(entry);
    return null;
  }

  sendFile(file) {
    if (!this.open) return;
    const { id, name, size, contentType, url } = file;
    this.outbox.add({
      cmid: newCmid(), channelId: this.channel.channelId, kind: 'file', fileId: id,
      file: { id, name, size, contentType, url }, at: new Date().toISOString(),
    });
  }

  // ---- typing -----------------------------------------------------------------------------

  /** The composer's text changed. */
  onInput(text) {
    if (this.open && this.joinedHere) this.typing.input(text);
  }

  onTyping(frame) {
    const me = this.me();
    if (!this.open || (me && frame.from === me.id)) return;
    this.typing.onPeer(frame.active);
  }

  // ---- receiving --------------------------------------------------------------------------

  onMessage(m) {
    if (!this.channel || m.channelId !== this.channel.channelId || !Number.isInteger(m.seq)) return;
    if (m.seq > this.maxRendered) this.maxRendered = m.seq;
    if (m.seq > (this.channel.lastSeq || 0)) {
      this.channel.lastSeq = m.seq;
      this.persist();
    }
    const me = this.me();
    const mine = me !== null && m.from === me.id;
    if (mine) this.outbox.drop(m.cmid);
    const live = this.initialJoinDone;
    if (!this.log.add(m, mine, live) || mine) return;
    this.typing.peerWrote();
    if (live && this.onPeerMessage) this.onPeerMessage(m);
  }

  onAck(frame) {
    if (!this.channel || !Number.isInteger(frame.seq)) return;
    this.outbox.onAck(frame);
  }

  onSeen(frame) {
    if (!this.channel || !Number.isInteger(frame.seq)) return;
    const me = this.me();
    if (me && frame.by === me.id) {
      // Another tab of ours reported it: no need to repeat it from here.
      if (frame.seq > this.seenSent) this.seenSent = frame.seq;
      return;
    }
    this.log.setPeerSeen(frame.seq);
  }

  /** The peer's last socket closed (away: it may come back), or one joined again. */
  onPresence(frame) {
    if (!this.open) return;
    const online = frame.peerOnline !== false;
    if (online === !this.peerAway) return;
    this.peerAway = !online;
    this.head.setPresence(online ? 'online' : 'away', this.peerName);
    if (online) {
      this.log.removeNotes('away');
      this.log.note(`${this.peerName} is back.`, 'away');
    } else {
      this.typing.hidePeer();
      this.log.removeNotes('away');
      this.log.note(`${this.peerName} lost connection...`, 'away');
    }
  }

  onReported(frame) {
    if (this.open && (!frame.channelId || frame.channelId === this.channel.channelId)) this.reported = true;
  }

  onEnded(frame) {
    if (!this.channel || frame.channelId !== this.channel.channelId || this.ended) return;
    const me = this.me();
    const byMe = me && frame.by === me.id;
    let text;
    if (this.reported) text = `You reported ${this.peerName}. The chat has ended.`;
    else if (frame.reason === 'expired') text = 'This chat expired.';
    else if (frame.reason === 'gone' && !byMe) text = `${this.peerName} disconnected.`;
    else if (frame.reason === 'gone') text = 'You were away too long, so the chat ended.';
    else if (byMe) text = 'You left the chat.';
    else text = `${this.peerName} left.`;
    this.finish(text, 'ended');
  }

  /** An `error` frame; returns true when it was about this chat. */
  onError(frame) {
    switch (frame.code) {
      case 'channel_closed':
      case 'invalid_token':
        if (!this.channel || this.ended) return false;
        if (!this.initialJoinDone) {
          // The stored channel of a returning visitor is gone: forget it, back to the start.
          this.close();
          this.onFinished('gone', null);
        } else {
          this.finish(frame.code === 'channel_closed' ? 'This chat has ended.' : 'This chat is no longer available.', 'closed');
        }
        return true;
      case 'not_in_channel':
        // E.g. a send that raced ahead of our join: join again, once.
        if (!this.open || this.joinRetried) return false;
        this.joinRetried = true;
        this.joinedHere = false;
        this.sendJoin();
        return true;
      default:
        return this.outbox.onError(frame);
    }
  }

  /** Ends the chat on this page; remembers it for the report window. */
  finish(text, why) {
    this.ended = true;
    this.typing.hidePeer();
    this.typing.stop();
    this.outbox.abandon();
    this.log.removeNotes('away');
    this.forget();
    const ended = { channelId: this.channel.channelId, token: this.channel.token, peer: this.channel.peer || null, endedAt: Date.now() };
    store.setEnded(ended);
    this.head.setPresence('gone', this.peerName);
    this.head.showEnded(text);
    this.log.scrollToBottom(true);
    this.onFinished(why, ended);
  }

  /** Forgets the stored channel and outbox (the chat cannot be resumed any more). */
  forget() {
    store.setChannel(null);
    this.outbox.forget();
  }

  /** Leaves the screen quietly (e.g. Next): the page no longer follows this channel. */
  close() {
    this.typing.stop();
    this.forget();
    this.channel = null;
    this.ended = true;
    this.typing.hidePeer();
  }

  persist() {
    if (!this.channel || this.ended) return;
    const { channelId, token, peer, commonInterests } = this.channel;
    store.setChannel({
      channelId, token, lastSeq: this.channel.lastSeq || 0, seen: this.seenSent,
      peer: peer || null, commonInterests: commonInterests || [],
    });
    this.outbox.save();
  }

  /** Reports the newest peer message on screen, only while the tab is visible, only forward. */
  maybeSendSeen(visible = this.log.visible) {
    if (!this.open || !this.joinedHere || document.visibilityState !== 'visible') return;
    let max = 0;
    for (const seq of visible) if (seq > max) max = seq;
    if (max <= this.seenSent) return;
    if (this.socket.send({ type: 'seen', seq: max })) {
      this.seenSent = max;
      this.persist();
    }
  }

  setPeer(peer) {
    if (!peer) return;
    if (this.channel) this.channel.peer = { id: peer.id, name: peer.name };
    this.head.setPeerName(this.peerName);
    this.log.setPeerName(this.peerName);
  }
}
