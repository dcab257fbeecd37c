// One websocket per tab (docs/protocol.md section 2), kept alive across network blips and server
// restarts: exponential backoff with jitter, an immediate retry when the browser comes back
// online or the tab becomes visible, and a stop (with the reason) when retrying cannot help.
// The state it reports is honest: `offline` as soon as the browser says the network is gone,
// and a socket that does not answer our own `ping` within PONG_TIMEOUT_MS is taken for dead.
//
// Events (CustomEvent, details in brackets):
//   frame  {frame}                      every server frame, `hello` included
//   state  {state, retryAt?, reason?}   idle | connecting | connected | reconnecting | offline | stopped
//
// The socket never holds application state: whoever listens to `hello` re-joins the channel.

const BASE_DELAY_MS = 500;            // first retry after 0.25-0.5 s
const MAX_DELAY_MS = 30_000;          // never wait longer than this between tries
const CONNECT_TIMEOUT_MS = 10_000;    // an upgrade plus hello that takes longer is a failure
const PING_EVERY_MS = 10_000;         // app-level ping after this much silence, to notice dead links
const PONG_TIMEOUT_MS = 4_000;        // no frame at all this long after a ping: the socket is dead
const CLIENT_GONE = 4000;             // our own close code when we give up on a dead socket

export const CLOSE_RESTART = 1012;    // server shutting down: reconnect (elsewhere)
export const CLOSE_TRY_AGAIN = 1013;  // server says we were too slow: reconnect
export const CLOSE_BANNED = 4003;     // banned: stop

export function socketUrl(path = '/ws', loc = window.location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${path}`;
}

export class ChatSocket extends EventTarget {
  /**
   * @param {object} options
   * @param {string} [options.path] websocket path, default /ws
   * @param {() => Promise<'ok'|'unauthorized'|'unknown'>} [options.checkAuth] asked after a
   *   socket closed before it ever said hello (an upgrade refused with 401 looks like that)
   */
  constructor({ path = '/ws', checkAuth } = {}) {
    super();
    this.path = path;
    this.checkAuth = checkAuth || (async () => 'unknown');
    this.ws = null;
    this.wanted = false;
    this.ready = false;           // hello received on the current socket
    this.attempt = 0;
    this.retryTimer = 0;
    this.connectTimer = 0;
    this.pingTimer = 0;
    this.pongTimer = 0;
    this.state = 'idle';
    this.stopReason = null;

    this.onOnline = () => {
      if (this.ready) this.ping();
      else this.retryNow();
    };
    this.onOffline = () => {
      if (!this.wanted) return;
      // Whatever the socket still seems to do, the browser says the network is gone: take it
      // for dead now (messages wait in the outbox) and try again the moment `online` fires.
      this.teardown(CLIENT_GONE, 'offline');
      clearTimeout(this.retryTimer);
      this.setState('offline');
    };
    this.onVisibility = () => {
      if (document.visibilityState !== 'visible') return;
      if (this.ready) this.ping();
      else this.retryNow();
    };
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  get connected() {
    return this.ready && this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Starts connecting (again); clears a previous stop. */
  start() {
    this.wanted = true;
    this.stopReason = null;
    if (this.ws) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  }

  /** Closes the socket and keeps it closed until start(). */
  stop(reason = null) {
    this.wanted = false;
    this.stopReason = reason;
    clearTimeout(this.retryTimer);
    this.teardown(1000, 'bye');
    this.setState(reason ? 'stopped' : 'idle', { reason });
  }

  /** Drops the current socket and connects anew at once (e.g. after the guest cookie changed). */
  restart() {
    this.wanted = true;
    this.stopReason = null;
    clearTimeout(this.retryTimer);
    this.teardown(1000, 'restart');
    this.attempt = 0;
    this.open();
  }

  /** Sends a frame if the socket is open and greeted; returns whether it was handed over. */
  send(frame) {
    if (!this.connected) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  ping() {
    if (!this.connected || this.pongTimer) return;
    this.send({ type: 'ping' });
    this.pongTimer = setTimeout(() => this.dead(), PONG_TIMEOUT_MS);
  }

  retryNow() {
    if (!this.wanted || this.ws) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  }

  open() {
    let ws;
    this.ready = false;
    if (navigator.onLine === false) {
      this.setState('offline'); // `online` calls retryNow()
      return;
    }
    this.setState('connecting');
    try {
      ws = new WebSocket(socketUrl(this.path));
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.connectTimer = setTimeout(() => {
      if (this.ws === ws && !this.ready) this.dead();
    }, CONNECT_TIMEOUT_MS);
    ws.addEventListener('message', (event) => this.onMessage(ws, event));
    ws.addEventListener('close', (event) => this.onClose(ws, event.code, event.reason));
    // An `error` is always followed by `close`; nothing to do here.
    ws.addEventListener('error', () => {});
  }

  onMessage(ws, event) {
    if (ws !== this.ws) return;
    this.alive();
    if (typeof event.data !== 'string') return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    if (frame.type === 'hello') {
      this.ready = true;
      this.attempt = 0;
      clearTimeout(this.connectTimer);
      this.schedulePing();
      this.setState('connected');
    }
    if (frame.type === 'pong') return;
    this.dispatchEvent(new CustomEvent('frame', { detail: { frame } }));
  }

  alive() {
    clearTimeout(this.pongTimer);
    this.pongTimer = 0;
    if (this.ready) this.schedulePing();
  }

  schedulePing() {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.ping(), PING_EVERY_MS);
  }

  /** The socket stopped answering: forget it without waiting for a closing handshake. */
  dead() {
    const ws = this.ws;
    if (!ws) return;
    const wasReady = this.ready;
    this.teardown(CLIENT_GONE, 'no answer');
    this.afterClose(CLIENT_GONE, wasReady);
  }

  onClose(ws, code) {
    if (ws !== this.ws) return;
    const wasReady = this.ready;
    this.teardown();
    this.afterClose(code, wasReady);
  }

  teardown(code, reason) {
    clearTimeout(this.connectTimer);
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pongTimer = 0;
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws && code !== undefined && ws.readyState <= WebSocket.OPEN) {
      try { ws.close(code, reason); } catch { /* already closing */ }
    }
  }

  async afterClose(code, wasReady) {
    if (!this.wanted) return;
    if (code === CLOSE_BANNED) {
      this.stop('banned');
      return;
    }
    if (!wasReady) {
      // The upgrade may have been refused with 401 (an expired guest token): ask the API.
      const auth = await this.checkAuth();
      if (!this.wanted || this.ws) return;
      if (auth === 'unauthorized') {
        this.stop('unauthorized');
        return;
      }
    }
    this.scheduleRetry(code === CLOSE_RESTART || (wasReady && code !== CLOSE_TRY_AGAIN));
  }

  /** Backoff with "equal jitter": half the exponential delay fixed, half random. */
  scheduleRetry(soon = false) {
    if (!this.wanted) return;
    clearTimeout(this.retryTimer);
    const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.attempt);
    const delay = soon && this.attempt === 0
      ? Math.random() * BASE_DELAY_MS
      : exp / 2 + Math.random() * (exp / 2);
    this.attempt = Math.min(this.attempt + 1, 16);
    const retryAt = Date.now() + delay;
    this.setState(navigator.onLine === false ? 'offline' : 'reconnecting', { retryAt });
    this.retryTimer = setTimeout(() => {
      if (this.wanted && !this.ws) this.open();
    }, delay);
  }

  setState(state, extra = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, ...extra } }));
  }
}
