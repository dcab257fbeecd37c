// Video and voice calls with the stranger (docs/protocol.md section 9.2): the request and its
// answer, the consent state machine (idle, outgoing or incoming, starting, connecting, active) and
// its `media` frames. The accepted call's camera, microphone and WebRTC connection, whose signals
// travel as `signal` frames over the chat socket, are call-connection.js's; the DOM is
// call-view.js's. Media goes browser to browser (or through TURN); the server only relays signalling.
//
// Nothing starts a camera or microphone before the guest's own click: the requester's only after
// the stranger accepted, the stranger's only when they press Accept. Every way out of a call
// (hang up, the stranger's hangup, Next, Leave, Report, the chat ending) stops every local track.

import { createCallView } from './call-view.js';
import { CallConnection, isVideo, mediaProblem } from './call-connection.js';

/** An unanswered request is withdrawn after this long. */
const REQUEST_TIMEOUT_MS = 60_000;

function newCallId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Starts the call feature for the chat screen.
 * @param {object} deps
 * @param {(frame: object) => boolean} deps.send   sends a frame on the chat socket
 * @param {() => ({channelId: string, token: string}|null)} deps.channel  the open, joined chat (or null)
 * @param {() => string} deps.peerName             the stranger's name
 * @param {{actions: HTMLElement, before: HTMLElement}} deps.mount  where the call UI goes
 * @returns {{onFrame(frame): boolean, onError(frame): boolean, channelChanged(): void, stop(why?: string): void}}
 */
export function startCalls({ send, channel, peerName, mount }) {
  const controller = new CallController({ send, channel, peerName });
  controller.view = createCallView({ ...mount, on: controller.handlers() });
  controller.refresh();
  // A narrow handle for tests and debugging: the page's own connection and tracks, nothing more.
  Object.defineProperty(window, 'randomChatCall', {
    value: Object.freeze({
      peerConnection: () => (controller.call ? controller.call.connection.pc : null),
      localTracks: () => controller.lastTracks.slice(),
      phase: () => (controller.call ? controller.call.phase : 'idle'),
    }),
    configurable: false,
  });
  return {
    onFrame: (frame) => controller.onFrame(frame),
    onError: (frame) => controller.onError(frame),
    channelChanged: () => controller.channelChanged(),
    stop: (why) => controller.end(why || 'ended', { notify: true }),
  };
}

class CallController {
  constructor({ send, channel, peerName }) {
    this.send = send;
    this.channel = channel;
    this.peerName = () => peerName() || 'The stranger';
    this.call = null;      // {callId, kinds, role, phase, channelId, connection, timer}
    this.lastTracks = [];  // the local tracks of the latest call (stopped once it ended)
    this.channelId = null;
  }

  handlers() {
    return {
      request: (kinds) => this.request(kinds),
      accept: () => this.accept(),
      decline: () => this.decline(),
      cancel: () => this.end('cancelled', { notify: true }),
      hangup: () => this.end('hungup', { notify: true }),
      toggleMute: () => this.toggle('audio'),
      toggleCamera: () => this.toggle('video'),
    };
  }

  /** The Video and Voice buttons follow the chat: usable in an open chat with no call. */
  refresh() {
    this.view.setStartable(Boolean(this.channel()) && !this.call);
  }

  /** The chat screen moved on (another channel, none, rejoined): a call of another channel ends. */
  channelChanged() {
    const current = this.channel();
    const id = current ? current.channelId : null;
    if (id !== this.channelId) {
      if (this.call) this.end('ended', { notify: false });
      if (id) this.view.showProblem('');
    }
    if (id) this.channelId = id;
    this.refresh();
  }

  // ---- the request and its answer ---------------------------------------------------------------

  request(kinds) {
    const open = this.channel();
    if (!open || this.call) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this.view.showProblem(mediaProblem({ name: 'Insecure' }, kinds));
      return;
    }
    const call = this.begin({ callId: newCallId(), kinds, role: 'caller', phase: 'outgoing' }, open.channelId);
    if (!this.send({ type: 'media', action: 'request', callId: call.callId, kinds })) {
      this.clear();
      this.view.showProblem('Not connected. Try again in a moment.');
      return;
    }
    const what = isVideo(kinds) ? 'turn on video' : 'start a voice call';
    this.view.showWaiting(`Asking ${this.peerName()} to ${what}...`);
    this.view.focusCancel();
    this.view.announce(`Asking ${this.peerName()} to ${what}.`);
    call.timer = setTimeout(() => {
      if (this.call === call && call.phase === 'outgoing') this.end('unanswered', { notify: true });
    }, REQUEST_TIMEOUT_MS);
  }

  onRequest(frame) {
    if (this.call && this.call.phase !== 'outgoing' && this.call.phase !== 'incoming') return;
    const open = this.channel();
    if (!open) return;
    // Both asked at once: the server kept the stranger's request, so answer theirs.
    if (this.call) this.clear();
    const kinds = Array.isArray(frame.kinds) ? frame.kinds.filter((k) => k === 'audio' || k === 'video') : ['audio'];
    this.begin({ callId: frame.callId, kinds, role: 'callee', phase: 'incoming' }, open.channelId);
    const text = isVideo(kinds)
      ? `${this.peerName()} asks to turn on video.`
      : `${this.peerName()} asks for a voice call.`;
    this.view.showPrompt(text);
    this.view.announce(`${text} Accept or decline.`);
  }

  async accept() {
    const call = this.call;
    if (!call || call.phase !== 'incoming') return;
    call.phase = 'starting';
    this.view.showWaiting('Starting your camera...');
    if (!isVideo(call.kinds)) this.view.showWaiting('Starting your microphone...');
    const ready = await call.connection.prepare(this.channel, call.channelId);
    if (this.call !== call) return;
    if (!ready) {
      this.send({ type: 'media', action: 'decline', callId: call.callId });
      return;
    }
    if (!this.send({ type: 'media', action: 'accept', callId: call.callId, kinds: call.kinds })) {
      this.end('failed', { notify: false, problem: 'Not connected. The call could not be started.' });
      return;
    }
    call.phase = 'connecting';
    this.showStage(call);
    call.connection.drain();
  }

  decline() {
    const call = this.call;
    if (!call || call.phase !== 'incoming') return;
    this.send({ type: 'media', action: 'decline', callId: call.callId });
    this.clear();
    this.view.announce('You declined the call.');
  }

  async onAccepted() {
    const call = this.call;
    if (!call || call.phase !== 'outgoing') return;
    clearTimeout(call.timer);
    call.phase = 'starting';
    this.view.showWaiting(`${this.peerName()} accepted. Starting your ${isVideo(call.kinds) ? 'camera' : 'microphone'}...`);
    this.view.announce(`${this.peerName()} accepted.`);
    const ready = await call.connection.prepare(this.channel, call.channelId);
    if (this.call !== call) return;
    if (!ready) {
      this.send({ type: 'media', action: 'hangup', callId: call.callId });
      return;
    }
    call.phase = 'connecting';
    this.showStage(call);
    try {
      await call.connection.offer();
    } catch {
      this.end('failed', { notify: true, problem: 'The call could not be set up.' });
    }
  }

  // ---- the accepted call ------------------------------------------------------------------------

  /** The connection reached the stranger for the first time. */
  onConnected(call) {
    call.phase = 'active';
    const text = isVideo(call.kinds) ? `Video call with ${this.peerName()} connected.` : `Voice call with ${this.peerName()} connected.`;
    this.view.setStateLabel('');
    this.view.announce(text);
  }

  showStage(call) {
    this.view.showStage({ peerName: this.peerName(), video: isVideo(call.kinds) });
    this.view.setVeiled(isVideo(call.kinds));
    this.view.setStateLabel('Connecting...');
    this.view.announce('Connecting the call.');
    this.view.focusHangup();
  }

  toggle(kind) {
    if (this.call) this.call.connection.toggle(kind);
  }

  // ---- frames from the server ---------------------------------------------------------------

  /** A `media` or `signal` frame; returns true when it was one. */
  onFrame(frame) {
    if (frame.type === 'signal') {
      if (this.call && frame.callId === this.call.callId) this.call.connection.receive(frame.data);
      return true;
    }
    if (frame.type !== 'media') return false;
    const mine = this.call && frame.callId === this.call.callId;
    switch (frame.action) {
      case 'request':
        this.onRequest(frame);
        break;
      case 'accept':
        if (mine) this.onAccepted();
        break;
      case 'decline':
        if (mine) this.end('declined', { notify: false, problem: `${this.peerName()} declined the call.` });
        break;
      case 'hangup':
        if (mine) {
          const before = this.call.phase;
          const text = before === 'incoming' ? `${this.peerName()} withdrew the call request.` : 'The call ended.';
          this.end('ended', { notify: false });
          this.view.announce(text);
          if (frame.from !== 'server') this.view.showProblem(text);
        }
        break;
      default:
        break;
    }
    return true;
  }

  /** An `error` frame about a call; returns true when it was one. */
  onError(frame) {
    if (frame.ref !== 'media' && frame.ref !== 'signal') return false;
    // A refused `signal` is a late candidate after a hangup: nothing to tell anyone.
    if (frame.ref === 'media' && this.call) {
      const problem = frame.code === 'rate_limited' ? 'Too many call requests. Wait a moment.' : 'The call could not be started.';
      this.end('failed', { notify: false, problem });
    }
    return true;
  }

  // ---- the beginning and the end -----------------------------------------------------------

  begin(call, channelId) {
    const current = { ...call, channelId, timer: 0 };
    current.connection = new CallConnection({
      kinds: call.kinds,
      view: this.view,
      live: () => this.call === current,
      signal: (data) => this.send({ type: 'signal', callId: call.callId, data }),
      onTracks: (tracks) => { this.lastTracks = tracks; },
      onConnected: () => this.onConnected(current),
      onFailed: (problem, notify) => this.end('failed', { notify, problem }),
    });
    this.call = current;
    this.channelId = channelId;
    this.view.showProblem('');
    this.refresh();
    return this.call;
  }

  /** Ends the call here: the peer connection closes and every local track stops. */
  end(why, { notify, problem } = {}) {
    const call = this.call;
    if (!call) {
      this.refresh();
      return;
    }
    if (notify) {
      const action = call.phase === 'incoming' ? 'decline' : 'hangup';
      this.send({ type: 'media', action, callId: call.callId });
    }
    this.clear();
    if (problem) this.view.showProblem(problem);
    if (why === 'hungup' || why === 'cancelled') this.view.announce(why === 'hungup' ? 'Call ended.' : 'Call request withdrawn.');
    else if (why === 'unanswered') this.view.showProblem(`${this.peerName()} did not answer.`);
    else if (problem) this.view.announce(problem);
  }

  clear() {
    const call = this.call;
    this.call = null;
    if (call) {
      clearTimeout(call.timer);
      call.connection.close();
    }
    this.view.reset();
    this.refresh();
    this.view.restoreFocus();
  }
}
