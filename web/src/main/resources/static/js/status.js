// The connection status: owns the #conn pill (with its screen reader twin) and #conn-note, the
// line above the composer that explains why messages wait while the connection is down.

export class Status {
  constructor() {
    const $ = (id) => document.getElementById(id);
    this.el = { conn: $('conn'), text: $('conn-text'), sr: $('conn-sr'), note: $('conn-note') };
    this.ticker = 0;
    this.state = 'idle';
    this.inChat = false;
  }

  /** A `state` event of the socket: {state, retryAt?, reason?}. */
  show({ state, retryAt, reason }) {
    clearInterval(this.ticker);
    const was = this.state;
    this.state = state;
    this.el.conn.dataset.state = state;
    const render = () => {
      const text = label(state, retryAt, reason);
      this.el.text.textContent = text;
      return text;
    };
    const text = render();
    if (state === 'reconnecting') this.ticker = setInterval(render, 500);
    // Screen readers hear changes that matter, not every countdown tick.
    const spoken = state === 'reconnecting' ? 'Connection lost. Reconnecting.'
      : state === 'offline' ? 'You are offline.'
      : state === 'connected' && was !== 'connecting' && was !== 'idle' ? 'Connected again.' : text;
    if (state !== 'connecting' && spoken !== this.el.sr.textContent) this.el.sr.textContent = spoken;
    this.renderNote();
  }

  /** Whether a chat is open (the note only means something there). */
  setInChat(open) {
    this.inChat = open;
    this.renderNote();
  }

  renderNote() {
    const down = this.state === 'offline' || this.state === 'reconnecting' || this.state === 'connecting';
    this.el.note.hidden = !(this.inChat && down);
    this.el.note.textContent = this.state === 'offline'
      ? 'You are offline. What you write waits here and is sent when you are back.'
      : 'Not connected right now. What you write waits here and is sent when the connection is back.';
  }
}

function label(state, retryAt, reason) {
  switch (state) {
    case 'connecting': return 'Connecting...';
    case 'connected': return 'Connected';
    case 'offline': return 'Offline';
    case 'reconnecting': {
      const secs = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
      return secs > 0 ? `Reconnecting in ${secs}s` : 'Reconnecting...';
    }
    case 'stopped':
      return reason === 'banned' ? 'Banned'
        : reason === 'unauthorized' ? 'Session expired'
        : reason === 'closed' ? 'Chat closed' : 'Disconnected';
    default: return 'Not connected';
  }
}
