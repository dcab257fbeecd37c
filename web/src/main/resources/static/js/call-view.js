// The call's part of the chat screen: the Video and Voice buttons, the request prompt, the videos
// and the call controls. Built here so the page's HTML only provides two places to put them.
// Every text is set with textContent; the state is announced through one polite status line.

const SVG_NS = 'http://www.w3.org/2000/svg';

const ICONS = {
  video: 'M4 6.5A2.5 2.5 0 0 1 6.5 4h7A2.5 2.5 0 0 1 16 6.5v1.38l3.55-2.37A1 1 0 0 1 21 6.34v11.32a1 1 0 0 1-1.55.83L16 16.12v1.38A2.5 2.5 0 0 1 13.5 20h-7A2.5 2.5 0 0 1 4 17.5v-11Z',
  voice: 'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1l-2.22 2.23Z',
  mic: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z',
  hangup: 'M12 9c-1.6 0-3.15.25-4.6.72v3.1a1 1 0 0 1-.56.9 11.5 11.5 0 0 0-2.66 1.85 1 1 0 0 1-1.41-.02L.29 13.08a1 1 0 0 1 0-1.41A16.9 16.9 0 0 1 12 7c4.54 0 8.66 1.78 11.71 4.67a1 1 0 0 1 0 1.41l-2.48 2.47a1 1 0 0 1-1.41.02 11.3 11.3 0 0 0-2.66-1.85 1 1 0 0 1-.56-.9v-3.1A15 15 0 0 0 12 9Z',
};

function icon(name) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

function make(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('aria-') || key.startsWith('data-') || key === 'role') node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

function button(label, { cls = 'btn small', iconName, id, visible = true } = {}) {
  const b = make('button', { type: 'button', class: cls });
  if (id) b.id = id;
  if (iconName) b.append(icon(iconName));
  b.append(make('span', { class: visible ? 'call-btn-text' : 'visually-hidden', text: label }));
  return b;
}

/**
 * Builds the call UI.
 * @param {HTMLElement} actions  where the Video and Voice buttons go (first in it)
 * @param {HTMLElement} before   the call area is inserted just before this element (the message log)
 * @param {object} on            handlers: request(kinds), accept(), decline(), cancel(), hangup(),
 *                               toggleMute(), toggleCamera()
 */
export function createCallView({ actions, before, on }) {
  const startVideo = button('Video call', { cls: 'icon-btn call-start', iconName: 'video', id: 'call-video', visible: false });
  startVideo.title = 'Video call: ask the stranger to turn on video';
  const startVoice = button('Voice call', { cls: 'icon-btn call-start', iconName: 'voice', id: 'call-voice', visible: false });
  startVoice.title = 'Voice call: ask the stranger to talk';
  const startGroup = make('span', { class: 'call-starts' }, startVideo, startVoice);
  actions.prepend(startGroup);

  const status = make('p', { class: 'visually-hidden', role: 'status', id: 'call-status' });

  const promptText = make('p', { class: 'call-prompt-text', id: 'call-prompt-text' });
  const accept = button('Accept', { cls: 'btn small primary', id: 'call-accept' });
  const decline = button('Decline', { cls: 'btn small', id: 'call-decline' });
  const prompt = make('div', { class: 'call-bar call-prompt', role: 'group', 'aria-labelledby': 'call-prompt-text', hidden: true },
    promptText, make('div', { class: 'call-bar-actions' }, accept, decline));

  const waitingText = make('p', { class: 'call-prompt-text' });
  const cancel = button('Cancel', { cls: 'btn small', id: 'call-cancel' });
  const waiting = make('div', { class: 'call-bar call-waiting', hidden: true },
    waitingText, make('div', { class: 'call-bar-actions' }, cancel));

  const problemText = make('p', { class: 'call-problem-text' });
  const dismiss = button('OK', { cls: 'btn small', id: 'call-dismiss' });
  const problem = make('div', { class: 'call-bar call-problem', role: 'alert', hidden: true },
    problemText, make('div', { class: 'call-bar-actions' }, dismiss));

  const remote = make('video', { id: 'call-remote', class: 'call-remote-video', autoplay: true, playsInline: true });
  const unveilText = make('span', { text: 'Show video' });
  const unveil = make('button', { type: 'button', class: 'call-unveil', id: 'call-unveil' }, unveilText);
  const voiceLabel = make('p', { class: 'call-voice-label' });
  const remoteBox = make('div', { class: 'call-remote veiled' }, remote, unveil, voiceLabel);
  const local = make('video', { id: 'call-local', class: 'call-local', autoplay: true, playsInline: true, muted: true,
    'aria-label': 'Your camera preview' });
  const stateLabel = make('p', { class: 'call-state', 'aria-hidden': 'true' });

  const mute = button('Mute', { cls: 'call-ctl', iconName: 'mic', id: 'call-mute' });
  mute.setAttribute('aria-pressed', 'false');
  const camera = button('Camera off', { cls: 'call-ctl', iconName: 'video', id: 'call-camera' });
  camera.setAttribute('aria-pressed', 'false');
  const hangup = button('Hang up', { cls: 'call-ctl hangup', iconName: 'hangup', id: 'call-hangup' });
  const controls = make('div', { class: 'call-controls', role: 'toolbar', 'aria-label': 'Call controls' }, mute, camera, hangup);
  const stage = make('div', { class: 'call-stage', hidden: true }, remoteBox, local, stateLabel, controls);

  const area = make('section', { class: 'call', id: 'call', 'aria-label': 'Call' }, status, prompt, waiting, problem, stage);
  before.before(area);

  startVideo.addEventListener('click', () => on.request(['video', 'audio']));
  startVoice.addEventListener('click', () => on.request(['audio']));
  accept.addEventListener('click', () => on.accept());
  decline.addEventListener('click', () => on.decline());
  cancel.addEventListener('click', () => on.cancel());
  hangup.addEventListener('click', () => on.hangup());
  mute.addEventListener('click', () => on.toggleMute());
  camera.addEventListener('click', () => on.toggleCamera());
  // A click shows the stranger's blurred video, and plays it if the browser held autoplay back.
  const reveal = () => {
    remoteBox.classList.remove('veiled');
    unveil.hidden = true;
    remote.play().catch(() => {});
  };
  unveil.addEventListener('click', reveal);
  remote.addEventListener('click', reveal);
  dismiss.addEventListener('click', () => { problem.hidden = true; });

  const screen = area.closest('.chat') || area.parentElement;

  return {
    remote,
    local,
    /** The Video and Voice buttons: usable only in an open chat with no call going on. */
    setStartable(on) {
      startVideo.disabled = !on;
      startVoice.disabled = !on;
    },
    announce(text) {
      // Cleared first, so the same words twice are announced twice.
      status.textContent = '';
      setTimeout(() => { status.textContent = text; }, 50);
    },
    showPrompt(text) {
      promptText.textContent = text;
      prompt.hidden = false;
      waiting.hidden = true;
    },
    showWaiting(text) {
      waitingText.textContent = text;
      waiting.hidden = false;
      prompt.hidden = true;
    },
    showProblem(text) {
      problemText.textContent = text;
      problem.hidden = !text;
    },
    /** The stage with videos and controls; {video} false for a voice call. */
    showStage({ peerName, video }) {
      prompt.hidden = true;
      waiting.hidden = true;
      stage.hidden = false;
      stage.classList.toggle('voice', !video);
      remote.setAttribute('aria-label', `${peerName}'s video`);
      unveilText.textContent = `Show ${peerName}'s video`;
      voiceLabel.textContent = `Voice call with ${peerName}`;
      camera.hidden = !video;
      local.hidden = !video;
      screen.classList.add('in-call');
      document.body.classList.add('in-call');
    },
    setStateLabel(text) {
      stateLabel.textContent = text;
    },
    setVeiled(veiled) {
      remoteBox.classList.toggle('veiled', veiled);
      unveil.hidden = !veiled;
    },
    setMuted(muted) {
      mute.setAttribute('aria-pressed', String(muted));
    },
    setCameraOff(off) {
      camera.setAttribute('aria-pressed', String(off));
      local.classList.toggle('off', off);
    },
    /** Back to no call: nothing shown but a problem, if there is one. */
    reset() {
      prompt.hidden = true;
      waiting.hidden = true;
      stage.hidden = true;
      remote.srcObject = null;
      local.srcObject = null;
      this.setMuted(false);
      this.setCameraOff(false);
      this.setVeiled(true);
      stateLabel.textContent = '';
      screen.classList.remove('in-call');
      document.body.classList.remove('in-call');
    },
    focusHangup() {
      hangup.focus({ preventScroll: true });
    },
    focusCancel() {
      cancel.focus({ preventScroll: true });
    },
    /** After a call: focus left on a control that is gone (or disabled) goes back to Video. */
    restoreFocus() {
      const active = document.activeElement;
      if (active && (area.contains(active) || startGroup.contains(active)) && (active.disabled || !active.checkVisibility())) {
        startVideo.focus({ preventScroll: true });
      }
    },
  };
}
