// One accepted call's media: the guest's camera and microphone, the ICE servers, and the WebRTC
// connection whose offer, answer and ICE candidates travel as `signal` frames. Signals that arrive
// before the connection exists wait in order; candidates wait for the remote description. The
// request and its answer are call.js's; the streams are shown in call-view.js's videos.

/** A call that does not connect within this long is given up. */
const CONNECT_TIMEOUT_MS = 30_000;

const VIDEO_CONSTRAINTS = { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' };

export function isVideo(kinds) {
  return Array.isArray(kinds) && kinds.includes('video');
}

/** What went wrong with the camera or microphone, in words for the guest. */
export function mediaProblem(error, kinds) {
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

export class CallConnection {
  /**
   * @param {object} deps
   * @param {string[]} deps.kinds                 'audio' and maybe 'video'
   * @param {{local: HTMLVideoElement, remote: HTMLVideoElement, setStateLabel(text: string): void,
   *   setMuted(on: boolean): void, setCameraOff(on: boolean): void, announce(text: string): void}} deps.view
   * @param {() => boolean} deps.live            this is still the page's current call
   * @param {(data: object) => void} deps.signal  sends one `signal` to the stranger
   * @param {(tracks: MediaStreamTrack[]) => void} deps.onTracks  the camera and microphone were given
   * @param {() => void} deps.onConnected         connected for the first time
   * @param {(problem: string, notify: boolean) => void} deps.onFailed  the call cannot go on
   */
  constructor(deps) {
    Object.assign(this, deps);
    this.pc = null;
    this.stream = null;
    this.queue = [];          // the stranger's signals not applied yet
    this.candidates = [];     // ICE candidates that came before the remote description
    this.remoteSet = false;
    this.draining = false;
    this.connected = false;
    this.timer = 0;
  }

  /**
   * Asks for the camera and microphone, fetches the ICE servers and builds the peer connection.
   * Returns false (with the reason reported) when the call cannot go on.
   * @param {() => ({channelId: string, token: string}|null)} channel  the open chat, asked for the ICE servers
   * @param {string} channelId  the call's chat: no ICE servers are asked for another one
   */
  async prepare(channel, channelId) {
    let stream;
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw Object.assign(new Error(), { name: 'Insecure' });
      stream = await navigator.mediaDevices.getUserMedia({
        audio: this.kinds.includes('audio'),
        video: isVideo(this.kinds) ? VIDEO_CONSTRAINTS : false,
      });
    } catch (error) {
      if (this.live()) this.onFailed(mediaProblem(error, this.kinds), false);
      return false;
    }
    this.onTracks(stream.getTracks());
    if (!this.live()) {
      // Ended while the browser asked: give the camera back at once.
      stream.getTracks().forEach((t) => t.stop());
      return false;
    }
    this.stream = stream;
    let ice;
    try {
      ice = await iceServers(channel(), channelId);
    } catch {
      ice = { iceServers: [] };
    }
    if (!this.live()) return false;
    const config = { iceServers: Array.isArray(ice.iceServers) ? ice.iceServers : [] };
    if (ice.iceTransportPolicy === 'relay') config.iceTransportPolicy = 'relay';
    let pc;
    try {
      pc = new RTCPeerConnection(config);
    } catch {
      this.onFailed('This browser cannot make calls.', false);
      return false;
    }
    this.pc = pc;
    stream.getTracks().forEach((track) => pc.addTrack(track, stream));
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate && this.live()) this.signal({ type: 'candidate', candidate: event.candidate.toJSON() });
    });
    pc.addEventListener('track', (event) => {
      if (!this.live()) return;
      const remote = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      if (this.view.remote.srcObject !== remote) this.view.remote.srcObject = remote;
      this.view.remote.play().catch(() => { /* plays once the guest clicks the video */ });
    });
    pc.addEventListener('connectionstatechange', () => this.onConnectionState());
    this.timer = setTimeout(() => {
      if (this.live() && !this.connected) this.onFailed('The call could not connect. Your network may block it.', true);
    }, CONNECT_TIMEOUT_MS);
    this.view.local.srcObject = stream;
    return true;
  }

  onConnectionState() {
    if (!this.live() || !this.pc) return;
    const state = this.pc.connectionState;
    if (state === 'connected' && !this.connected) {
      this.connected = true;
      clearTimeout(this.timer);
      this.onConnected();
    } else if (state === 'disconnected' && this.connected) {
      this.view.setStateLabel('Connection unstable...');
    } else if (state === 'connected') {
      this.view.setStateLabel('');
    } else if (state === 'failed') {
      this.onFailed('The call lost its connection.', true);
    }
  }

  /** The caller's offer, once the stranger accepted; throws when it cannot be made. */
  async offer() {
    const offer = await this.pc.createOffer();
    if (!this.live()) return;
    await this.pc.setLocalDescription(offer);
    if (!this.live()) return;
    this.signal({ type: this.pc.localDescription.type, sdp: this.pc.localDescription.sdp });
  }

  /** A `signal` frame's data from the stranger. */
  receive(data) {
    if (!data || typeof data !== 'object') return;
    this.queue.push(data);
    this.drain();
  }

  /** Applies the stranger's signals in order, once the peer connection exists. */
  async drain() {
    if (!this.pc || this.draining) return;
    this.draining = true;
    try {
      while (this.live() && this.queue.length) {
        const data = this.queue.shift();
        await this.apply(data);
      }
    } catch {
      if (this.live()) this.onFailed('The call could not be set up.', true);
    } finally {
      this.draining = false;
    }
  }

  async apply(data) {
    const pc = this.pc;
    if (data.type === 'offer' || data.type === 'answer') {
      await pc.setRemoteDescription({ type: data.type, sdp: String(data.sdp || '') });
      this.remoteSet = true;
      for (const candidate of this.candidates.splice(0)) await pc.addIceCandidate(candidate).catch(() => {});
      if (data.type === 'offer') {
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        if (this.live()) this.signal({ type: pc.localDescription.type, sdp: pc.localDescription.sdp });
      }
    } else if (data.type === 'candidate' && data.candidate && typeof data.candidate === 'object') {
      if (this.remoteSet) await pc.addIceCandidate(data.candidate).catch(() => {});
      else this.candidates.push(data.candidate);
    }
  }

  /** Mute or unmute (`audio`), camera off or on (`video`). */
  toggle(kind) {
    if (!this.stream) return;
    const tracks = kind === 'audio' ? this.stream.getAudioTracks() : this.stream.getVideoTracks();
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

  /** The connection closes and every local track stops. */
  close() {
    clearTimeout(this.timer);
    if (this.pc) {
      try { this.pc.close(); } catch { /* already closed */ }
    }
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
  }
}

async function iceServers(open, channelId) {
  if (!open || open.channelId !== channelId) throw new Error('no channel');
  const response = await fetch(`/api/channels/${encodeURIComponent(channelId)}/ice`, {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json', Authorization: `Bearer ${open.token}` },
  });
  if (!response.ok) throw new Error(`ICE servers: HTTP ${response.status}`);
  return response.json();
}
