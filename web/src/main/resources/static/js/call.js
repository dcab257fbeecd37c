// Video and voice calls with the stranger (docs/protocol.md section 9.2): the request, the answer, and the
// WebRTC connection whose offer, answer and ICE candidates travel as `signal` frames over the chat
// socket. Media goes browser to browser (or through TURN); the server only relays signalling.
//
// Nothing starts a camera or microphone before the guest's own click: the requester's only after
// the stranger accepted, the stranger's only when they press Accept. Every way out of a call
// (hang up, the stranger's hangup, Next, Leave, Report, the chat ending) stops every local track.

import { createCallView } from './call-view.js';

/** An unanswered request is withdrawn after this long. */
const REQUEST_TIMEOUT_MS = 60_000;
/** A call that does not connect within this long is given up. */
const CONNECT_TIMEOUT_MS = 30_000;

const VIDEO_CONSTRAINTS = { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' };

function newCallId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function isVideo(kinds) {
  return Array.isArray(kinds) && kinds.includes('video');
}

/** What went wrong with the camera or microphone, in words for the guest. */
function mediaProblem(error, kinds) {
  const what = isVideo(kinds) ? 'camera and microphone' : 'microphone';
  switch (error && error.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `Your browser did not allow the ${what}. To take part, allow them for this site in the browser's settings, then try again.`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return isVideo(kinds)
        ? 'No camera or microphone was found on this device. You can still try a voice call, or keep chatting.'
        : 'No microphone was found on this device. You can keep chatting by text.';
    case 'NotReadableError':
    case 'AbortError':
      return `Your ${what} could not be started. Another app may be using it.`;
    case 'Insecure':
      return 'Calls need a secure (https) connection to this site.';
    default:
      return `Your ${what} could not be started.`;
  }
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
      peerConnection: () => (controller.call ? controller.call.pc : null),
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
    this.call = null;      // {callId, kinds, role, phase, pc, stream, queue, remoteSet, candidates, timer}
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
      unveil: () => this.unveil(),
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
    const ready = await this.prepare(call);
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
    this.drain(call);
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
    const ready = await this.prepare(call);
    if (this.call !== call) return;
    if (!ready) {
      this.send({ type: 'media', action: 'hangup', callId: call.callId });
      return;
    }
    call.phase = 'connecting';
    this.showStage(call);
    try {
      const offer = await call.pc.createOffer();
      if (this.call !== call) return;
      await call.pc.setLocalDescription(offer);
      if (this.call !== call) return;
      this.signal(call, { type: call.pc.localDescription.type, sdp: call.pc.localDescription.sdp });
    } catch {
      this.end('failed', { notify: true, problem: 'The call could not be set up.' });
    }
  }

  // ---- media and the peer connection --------------------------------------------------------

  /**
   * Asks for the camera and microphone, fetches the ICE servers and builds the peer connection.
   * Returns false (with the reason shown) when the call cannot go on.
   */
  async prepare(call) {
    let stream;
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw Object.assign(new Error(), { name: 'Insecure' });
      stream = await navigator.mediaDevices.getUserMedia({
        audio: call.kinds.includes('audio'),
        video: isVideo(call.kinds) ? VIDEO_CONSTRAINTS : false,
      });
    } catch (error) {
      if (this.call === call) this.end('failed', { notify: false, problem: mediaProblem(error, call.kinds) });
      return false;
    }
    this.lastTracks = stream.getTracks();
    if (this.call !== call) {
      // Ended while the browser asked: give the camera back at once.
      stream.getTracks().forEach((t) => t.stop());
      return false;
    }
    call.stream = stream;
    let ice;
    try {
      ice = await this.iceServers(call.channelId);
    } catch {
      ice = { iceServers: [] };
    }
    if (this.call !== call) return false;
    const config = { iceServers: Array.isArray(ice.iceServers) ? ice.iceServers : [] };
    if (ice.iceTransportPolicy === 'relay') config.iceTransportPolicy = 'relay';
    let pc;
    try {
      pc = new RTCPeerConnection(config);
    } catch {
      this.end('failed', { notify: false, problem: 'This browser cannot make calls.' });
      return false;
    }
    call.pc = pc;
    stream.getTracks().forEach((track) => pc.addTrack(track, stream));
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate && this.call === call) this.signal(call, { type: 'candidate', candidate: event.candidate.toJSON() });
    });
    pc.addEventListener('track', (event) => {
      if (this.call !== call) return;
      const remote = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      if (this.view.remote.srcObject !== remote) this.view.remote.srcObject = remote;
      this.view.remote.play().catch(() => { /* plays once the guest clicks the video */ });
    });
    pc.addEventListener('connectionstatechange', () => this.onConnectionState(call));
    call.timer = setTimeout(() => {
      if (this.call === call && call.phase !== 'active') {
        this.end('failed', { notify: true, problem: 'The call could not connect. Your network may block it.' });
      }
    }, CONNECT_TIMEOUT_MS);
    this.view.local.srcObject = stream;
    return true;
  }

  async iceServers(channelId) {
    const open = this.channel();
    if (!open || open.channelId !== channelId) throw new Error('no channel');
    const response = await fetch(`/api/channels/${encodeURIComponent(channelId)}/ice`, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json', Authorization: `Bearer ${open.token}` },
    });
    if (!response.ok) throw new Error(`ICE servers: HTTP ${response.status}`);
    return response.json();
  }

  onConnectionState(call) {
    if (this.call !== call || !call.pc) return;
    const state = call.pc.connectionState;
    if (state === 'connected' && call.phase !== 'active') {
      call.phase = 'active';
      clearTimeout(call.timer);
      const text = isVideo(call.kinds) ? `Video call with ${this.peerName()} connected.` : `Voice call with ${this.peerName()} connected.`;
      this.view.setStateLabel('');
      this.view.announce(text);
    } else if (state === 'disconnected' && call.phase === 'active') {
      this.view.setStateLabel('Connection unstable...');
    } else if (state === 'connected') {
      this.view.setStateLabel('');
    } else if (state === 'failed') {
      this.end('failed', { notify: true, problem: 'The call lost its connection.' });
    }
  }

  onSignal(frame) {
    const call = this.call;
    if (!call || frame.callId !== call.callId || !frame.data || typeof frame.data !== 'object') return;
    call.queue.push(frame.data);
    this.drain(call);
  }

  /** Applies the stranger's signals in order, once the peer connection exists. */
  async drain(call) {
    if (!call.pc || call.draining) return;
    call.draining = true;
    try {
      while (this.call === call && call.queue.length) {
        const data = call.queue.shift();
        await this.apply(call, data);
      }
    } catch {
      if (this.call === call) this.end('failed', { notify: true, problem: 'The call could not be set up.' });
    } finally {
      call.draining = false;
    }
  }

  async apply(call, data) {
    const pc = call.pc;
    if (data.type === 'offer' || data.type === 'answer') {
      await pc.setRemoteDescription({ type: data.type, sdp: String(data.sdp || '') });
      call.remoteSet = true;
      for (const candidate of call.candidates.splice(0)) await pc.addIceCandidate(candidate).catch(() => {});
      if (data.type === 'offer') {
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        if (this.call === call) this.signal(call, { type: pc.localDescription.type, sdp: pc.localDescription.sdp });
      }
    } else if (data.type === 'candidate' && data.candidate && typeof data.candidate === 'object') {
      if (call.remoteSet) await pc.addIceCandidate(data.candidate).catch(() => {});
      else call.candidates.push(data.candidate);
    }
  }

  signal(call, data) {
    this.send({ type: 'signal', callId: call.callId, data });
  }

  showStage(call) {
    this.view.showStage({ peerName: this.peerName(), video: isVideo(call.kinds) });
    this.view.setVeiled(isVideo(call.kinds));
    this.view.setStateLabel('Connecting...');
    this.view.announce('Connecting the call.');
    this.view.focusHangup();
  }

  toggle(kind) {
    const call = this.call;
    if (!call || !call.stream) return;
    const tracks = kind === 'audio' ? call.stream.getAudioTracks() : call.stream.getVideoTracks();
    if (!tracks.length) return;
    const off = tracks[0].enabled;
    tracks.forEach((t) => { t.enabled = !off; });
    if (kind === 'audio') {
      this.view.setMuted(off);
      this.view.announce(off ? 'Microphone muted.' : 'Microphone on.');
    } else {
      this.view.setCameraOff(off);
      this.view.announce(off ? 'Camera off.' : 'Camera on.');
    }
  }

  unveil() {
    this.view.setVeiled(false);
    this.view.remote.play().catch(() => {});
  }

  // ---- frames from the server ---------------------------------------------------------------

  /** A `media` or `signal` frame; returns true when it was one. */
  onFrame(frame) {
    if (frame.type === 'signal') {
      this.onSignal(frame);
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

  // ---- the end -----------------------------------------------------------------------------

  begin(call, channelId) {
    this.call = { ...call, channelId, queue: [], candidates: [], remoteSet: false, pc: null, stream: null, timer: 0 };
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
      if (call.pc) {
        try { call.pc.close(); } catch { /* already closed */ }
      }
      if (call.stream) call.stream.getTracks().forEach((t) => t.stop());
    }
    this.view.reset();
    this.refresh();
    this.view.restoreFocus();
  }
}
