// "Typing" both ways: ours, sent while the visitor writes and stopped after a pause, on send and
// at the end; and the stranger's, shown in the log until they stop or it is not renewed. chat.js
// decides when either applies (an open, joined chat; not our own tab's echo).

const TYPING_IDLE_MS = 3_000;      // we stop "typing" after this long without a keystroke
const PEER_TYPING_TTL_MS = 6_000;  // a peer's "typing" that is not renewed fades after this

export class Typing {
  /**
   * @param {object} deps
   * @param {import('./socket.js').ChatSocket} deps.socket
   * @param {import('./log.js').MessageLog} deps.log
   */
  constructor(deps) {
    Object.assign(this, deps);
    this.reset();
  }

  reset() {
    this.active = false;             // we told the stranger we are typing
    clearTimeout(this.timer);
    clearTimeout(this.peerTimer);
  }

  /** The composer's text changed. */
  input(text) {
    if (!text.trim()) {
      this.stop();
      return;
    }
    if (!this.active) this.active = this.socket.send({ type: 'typing', active: true });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  stop() {
    clearTimeout(this.timer);
    if (!this.active) return;
    this.active = false;
    this.socket.send({ type: 'typing', active: false });
  }

  /** The stranger's `typing` frame. */
  onPeer(active) {
    clearTimeout(this.peerTimer);
    if (!active) {
      this.log.hideTyping();
      return;
    }
    this.log.showTyping();
    this.peerTimer = setTimeout(() => this.log.hideTyping(), PEER_TYPING_TTL_MS);
  }

  /** The stranger's message arrived: the log replaces the indicator, its fading is moot. */
  peerWrote() {
    clearTimeout(this.peerTimer);
  }

  /** The stranger went away or the chat is over: no indicator. */
  hidePeer() {
    clearTimeout(this.peerTimer);
    this.log.hideTyping();
  }
}
