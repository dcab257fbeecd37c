// Entry point: screens, the guest, the socket, and the wiring between match and chat.

import * as api from './api.js';
import { ChatSocket } from './socket.js';
import { Matcher, parseInterests } from './match.js';
import { Chat } from './chat.js';
import { store } from './store.js';
import { uploadFile, tooLargeMessage } from './upload.js';
import { startCalls } from './call.js';

const TITLE = 'Random Chat';
const MAX_NAME_CHARS = 24;
const TOAST_MS = 4_000;
const NOTIFY_KEY = 'rc.notify';

const $ = (id) => document.getElementById(id);
const el = {
  screens: { home: $('screen-home'), waiting: $('screen-waiting'), chat: $('screen-chat') },
  homeForm: $('home-form'),
  name: $('name'),
  interests: $('interests'),
  homeError: $('home-error'),
  start: $('start'),
  pow: $('pow'),
  powProgress: $('pow-progress'),
  cancel: $('cancel'),
  conn: $('conn'),
  connText: $('conn-text'),
  connSr: $('conn-sr'),
  bell: $('bell'),
  bellText: $('bell-text'),
  composer: $('composer'),
  message: $('message'),
  send: $('send'),
  counter: $('counter'),
  composerError: $('composer-error'),
  attach: $('attach'),
  file: $('file'),
  upload: $('upload'),
  uploadName: $('upload-name'),
  uploadProgress: $('upload-progress'),
  uploadCancel: $('upload-cancel'),
  next: $('next'),
  leave: $('leave'),
  report: $('report'),
  newChat: $('new-chat'),
  goHome: $('go-home'),
  leaveDialog: $('leave-dialog'),
  leaveTitle: $('leave-title'),
  leaveDesc: $('leave-desc'),
  leaveConfirm: $('leave-confirm'),
  leaveBlock: $('leave-block'),
  reportDialog: $('report-dialog'),
  reportReason: $('report-reason'),
  reportNote: $('report-note'),
  toast: $('toast'),
};

const coarsePointer = window.matchMedia('(pointer: coarse)');

const state = {
  me: null,          // {id, name} from hello (or /api/guests/me before the socket is up)
  limits: {},        // hello.limits
  screen: 'home',
  unread: 0,
  upload: null,      // {abort}
  interests: [],
};

// ---- the socket and the two screens that use it ----------------------------------------------

const socket = new ChatSocket({
  checkAuth: async () => {
    try {
      return (await currentGuest()) ? 'ok' : 'unauthorized';
    } catch {
      return 'unknown';
    }
  },
});

/** GET /api/guests/me, skipped (null) when this browser never had a guest. */
async function currentGuest() {
  if (!store.hadGuest()) return null;
  const guest = await api.me();
  if (!guest) store.setHadGuest(false);
  return guest;
}

const matcher = new Matcher({
  socket,
  elapsedEl: $('elapsed'),
  interestsEl: $('waiting-interests'),
});

const chat = new Chat({
  socket,
  me: () => state.me,
  limits: () => state.limits,
  onPeerMessage,
  onEnded: onChatEnded,
  toast,
});

// Video and voice calls: their own frames, and they end whenever this chat does.
const calls = startCalls({
  send: (frame) => socket.send(frame),
  channel: () => (chat.open ? chat.channel : null),
  peerName: () => (chat.channel && chat.channel.peer ? chat.channel.peer.name : ''),
  mount: { actions: document.querySelector('#screen-chat .chat-actions'), before: document.querySelector('#screen-chat .log-wrap') },
});

socket.addEventListener('frame', (event) => onFrame(event.detail.frame));
socket.addEventListener('state', (event) => showConnection(event.detail));

function onFrame(frame) {
  switch (frame.type) {
    case 'hello':
      state.me = frame.you || state.me;
      state.limits = frame.limits || {};
      updateCounter();
      if (chat.open) chat.onHello();
      else if (matcher.active) matcher.sendMatch();
      break;
    case 'waiting':
      matcher.onWaiting(frame);
      break;
    case 'cancelled':
      break;
    case 'matched':
      onMatched(frame);
      break;
    case 'joined':
      chat.onJoined(frame);
      calls.channelChanged();
      break;
    case 'message':
      chat.onMessage(frame);
      break;
    case 'ack':
      chat.onAck(frame);
      break;
    case 'seen':
      chat.onSeen(frame);
      break;
    case 'typing':
      chat.onTyping(frame);
      break;
    case 'presence':
      chat.onPresence(frame);
      break;
    case 'reported':
      chat.onReported(frame);
      break;
    case 'ended':
      chat.onEnded(frame);
      calls.channelChanged();
      break;
    case 'media':
    case 'signal':
      calls.onFrame(frame);
      break;
    case 'error':
      onServerError(frame);
      break;
    default:
      break; // frame types added later are ignored
  }
}

function onMatched(frame) {
  if (chat.open && chat.channel.channelId === frame.channelId) {
    // A retried `match` answered with the channel we are already in.
    chat.onJoined({ channelId: frame.channelId, peer: frame.peer, peerOnline: true });
    return;
  }
  if (!matcher.active && chat.open) return; // not ours to act on
  matcher.end();
  const channel = {
    channelId: frame.channelId,
    token: frame.token,
    lastSeq: 0,
    seen: 0,
    peer: frame.peer || null,
    commonInterests: Array.isArray(frame.commonInterests) ? frame.commonInterests : [],
  };
  chat.show(channel, { fresh: true });
  showScreen('chat');
  if (document.visibilityState !== 'visible') {
    notify('You are chatting with a stranger', `Say hi to ${channel.peer ? channel.peer.name : 'a stranger'}!`);
  }
}

function onServerError(frame) {
  if (calls.onError(frame)) return;
  if (chat.onError(frame)) return;
  if (frame.code === 'not_in_channel' || frame.code === 'channel_closed') return;
  if (matcher.active && frame.ref === 'match') {
    matcher.end();
    showHome(frame.message || 'Could not start matching.');
    return;
  }
  if (frame.message) toast(frame.message);
}

/** The chat ended (`ended`, or closed under us), or the stored channel could not be opened again. */
function onChatEnded(why) {
  stopUpload();
  calls.channelChanged();
  if (why === 'gone') {
    socket.stop();
    showHome('Your previous chat has ended.');
  } else if (why === 'closed') {
    // Retrying cannot bring this channel back: stop, and say so.
    socket.stop('closed');
  }
}

// ---- connection status -------------------------------------------------------------------

let connTicker = 0;

function showConnection({ state: s, retryAt, reason }) {
  clearInterval(connTicker);
  el.conn.dataset.state = s;
  const render = () => {
    let text;
    switch (s) {
      case 'connecting': text = 'Connecting...'; break;
      case 'connected': text = 'Connected'; break;
      case 'offline': text = 'Offline'; break;
      case 'reconnecting': {
        const secs = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
        text = secs > 0 ? `Reconnecting in ${secs}s` : 'Reconnecting...';
        break;
      }
      case 'stopped':
        text = reason === 'banned' ? 'Banned'
          : reason === 'unauthorized' ? 'Session expired'
          : reason === 'closed' ? 'Chat closed' : 'Disconnected';
        break;
      default: text = 'Not connected';
    }
    el.connText.textContent = text;
    return text;
  };
  const text = render();
  el.connSr.textContent = s === 'reconnecting' ? 'Connection lost. Reconnecting.' : text;
  if (s === 'reconnecting') connTicker = setInterval(render, 500);

  if (s === 'stopped' && reason === 'banned') {
    matcher.end();
    if (chat.open) chat.close();
    showHome('You have been banned from Random Chat.');
  } else if (s === 'stopped' && reason === 'unauthorized') {
    matcher.end();
    if (chat.open) chat.close();
    state.me = null;
    showHome('Your session expired. Press Start to continue.');
  }
}

// ---- screens -----------------------------------------------------------------------------

function showScreen(name) {
  state.screen = name;
  for (const [key, section] of Object.entries(el.screens)) section.hidden = key !== name;
  document.body.dataset.screen = name;
  calls.channelChanged();
  if (name === 'home') {
    if (!coarsePointer.matches) el.name.focus();
  } else if (name === 'waiting') {
    el.cancel.focus();
  } else if (name === 'chat' && !coarsePointer.matches) {
    el.message.focus({ preventScroll: true });
  }
}

function showHome(message = '') {
  stopUpload();
  setBusy(false);
  el.homeError.textContent = message;
  showScreen('home');
}

function setBusy(busy) {
  el.start.disabled = busy;
  el.name.readOnly = busy;
  el.interests.readOnly = busy;
  el.start.textContent = busy ? 'Starting...' : 'Start';
  if (!busy) el.pow.hidden = true;
}

// ---- home: the guest, then matching -------------------------------------------------------

function validName(raw) {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1) return { error: 'Please enter a name.' };
  if (length > MAX_NAME_CHARS) return { error: `At most ${MAX_NAME_CHARS} characters.` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return { error: 'The name has characters we cannot show.' };
  return { name };
}

el.homeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  el.homeError.textContent = '';
  el.name.removeAttribute('aria-invalid');
  el.interests.removeAttribute('aria-invalid');

  const checked = validName(el.name.value);
  if (checked.error) {
    el.name.setAttribute('aria-invalid', 'true');
    el.homeError.textContent = checked.error;
    el.name.focus();
    return;
  }
  const parsed = parseInterests(el.interests.value);
  if (parsed.error) {
    el.interests.setAttribute('aria-invalid', 'true');
    el.homeError.textContent = parsed.error;
    el.interests.focus();
    return;
  }
  store.setName(checked.name);
  store.setInterests(el.interests.value.trim());
  state.interests = parsed.tags;

  setBusy(true);
  try {
    let guest = state.me;
    if (!guest) guest = await currentGuest();
    let fresh = false;
    if (!guest || guest.name !== checked.name) {
      guest = await createGuest(checked.name);
      store.setHadGuest(true);
      fresh = true;
    }
    state.me = { id: guest.id, name: guest.name };
    setBusy(false);
    if (fresh || !socket.connected) socket.restart();
    matcher.begin(state.interests);
    showScreen('waiting');
  } catch (e) {
    setBusy(false);
    el.homeError.textContent = e && e.message ? e.message : 'Something went wrong. Please try again.';
  }
});

async function createGuest(name) {
  for (let attempt = 0; ; attempt++) {
    let challenge = { bits: 0 };
    try {
      challenge = await api.challenge();
    } catch (e) {
      // A server without proof of work may not know the endpoint at all.
      if (!(e instanceof api.ApiError) || e.status !== 404) throw e;
    }
    try {
      if (challenge && challenge.bits > 0) {
        const nonce = await solveProofOfWork(challenge.challenge, challenge.bits);
        return await api.createGuest(name, { challenge: challenge.challenge, nonce });
      }
      return await api.createGuest(name);
    } catch (e) {
      // A challenge that expired while we worked: one more go with a new one.
      if (attempt === 0 && e instanceof api.ApiError && e.status === 400 && challenge.bits > 0) continue;
      throw e;
    }
  }
}

function solveProofOfWork(challenge, bits) {
  return new Promise((resolve, reject) => {
    const worker = new Worker('js/pow-worker.js');
    const expected = 2 ** bits;
    el.pow.hidden = false;
    el.powProgress.value = 0;
    worker.addEventListener('message', (event) => {
      const msg = event.data || {};
      if (msg.type === 'progress') {
        // The chance that a solver would be done by now: a smooth bar that never lies about 100 %.
        el.powProgress.value = Math.min(99, 100 * (1 - Math.exp(-msg.tries / expected)));
      } else if (msg.type === 'done') {
        el.powProgress.value = 100;
        worker.terminate();
        resolve(msg.nonce);
      } else if (msg.type === 'error') {
        worker.terminate();
        reject(new Error('Could not prepare your session. Please try again.'));
      }
    });
    worker.addEventListener('error', () => {
      worker.terminate();
      reject(new Error('Could not prepare your session. Please try again.'));
    });
    worker.postMessage({ challenge, bits });
  });
}

el.cancel.addEventListener('click', () => {
  matcher.cancel();
  socket.stop();
  showHome();
});

// ---- chat actions ------------------------------------------------------------------------

let dialogMode = 'leave';

function openLeaveDialog(mode) {
  dialogMode = mode;
  el.leaveTitle.textContent = mode === 'next' ? 'Leave and meet someone new?' : 'Leave this chat?';
  el.leaveDesc.textContent = 'The chat ends for both of you.';
  el.leaveConfirm.textContent = mode === 'next' ? 'Next' : 'Leave';
  el.leaveBlock.hidden = mode === 'next';
  el.leaveDialog.returnValue = '';
  el.leaveDialog.showModal();
  el.leaveConfirm.focus();
}

el.leave.addEventListener('click', () => openLeaveDialog('leave'));
el.next.addEventListener('click', () => openLeaveDialog('next'));

el.leaveDialog.addEventListener('close', () => {
  const choice = el.leaveDialog.returnValue;
  if (choice !== 'leave' && choice !== 'block') return;
  if (!chat.open) return;
  calls.stop();
  if (!chat.joinedHere || !socket.send(choice === 'block' ? { type: 'leave', block: true } : { type: 'leave' })) {
    toast('Not connected. Try again in a moment.');
    return;
  }
  if (dialogMode === 'next') {
    stopUpload();
    chat.close();
    matcher.begin(state.interests);
    showScreen('waiting');
  }
});

el.report.addEventListener('click', () => {
  el.reportDialog.returnValue = '';
  el.reportNote.value = '';
  el.reportDialog.showModal();
  el.reportReason.focus();
});

el.reportDialog.addEventListener('close', () => {
  if (el.reportDialog.returnValue !== 'report' || !chat.open) return;
  calls.stop();
  const frame = { type: 'report', reason: el.reportReason.value };
  const note = el.reportNote.value.trim().slice(0, 500);
  if (note) frame.note = note;
  if (!chat.joinedHere || !socket.send(frame)) toast('Not connected. Try again in a moment.');
});

el.newChat.addEventListener('click', () => {
  stopUpload();
  chat.close();
  matcher.begin(state.interests.length ? state.interests : (parseInterests(store.interests()).tags || []));
  showScreen('waiting');
  socket.start();
});

el.goHome.addEventListener('click', () => {
  chat.close();
  socket.stop();
  showHome();
});

// ---- composer ----------------------------------------------------------------------------

function autogrow() {
  const box = el.message;
  box.style.height = 'auto';
  const max = Math.max(88, Math.round(window.innerHeight * 0.4));
  box.style.height = `${Math.min(box.scrollHeight + 2, max)}px`;
}

function updateCounter() {
  const max = state.limits.maxTextChars;
  const chars = [...el.message.value].length;
  if (!max) {
    el.counter.hidden = true;
    el.send.disabled = false;
    return;
  }
  const left = max - chars;
  const near = left <= Math.max(50, Math.floor(max * 0.1));
  el.counter.hidden = !near;
  el.counter.textContent = left >= 0 ? `${left} left` : `${-left} too many`;
  el.counter.classList.toggle('over', left < 0);
  el.send.disabled = left < 0;
}

function showComposerError(text) {
  el.composerError.textContent = text;
  el.composerError.hidden = !text;
}

el.message.addEventListener('input', () => {
  autogrow();
  updateCounter();
  showComposerError('');
  chat.onInput(el.message.value);
});

el.message.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  if (coarsePointer.matches) return; // on touch screens Enter is a newline; the button sends
  event.preventDefault();
  el.composer.requestSubmit();
});

el.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = el.message.value.replace(/^\s*\n/, '').replace(/\s+$/, '');
  if (!text.trim()) return;
  const error = chat.sendText(text);
  if (error) {
    showComposerError(error);
    return;
  }
  el.message.value = '';
  autogrow();
  updateCounter();
  showComposerError('');
  if (!coarsePointer.matches || document.activeElement === el.send) el.message.focus({ preventScroll: true });
});

// ---- uploads -----------------------------------------------------------------------------

el.attach.addEventListener('click', () => el.file.click());

el.file.addEventListener('change', () => {
  const file = el.file.files && el.file.files[0];
  el.file.value = '';
  if (file) startUpload(file);
});

function startUpload(file) {
  if (!chat.open || state.upload) return;
  const max = state.limits.maxUploadBytes;
  if (max && file.size > max) {
    showComposerError(tooLargeMessage(max));
    return;
  }
  showComposerError('');
  const { channelId, token } = chat.channel;
  el.uploadName.textContent = file.name;
  el.uploadProgress.value = 0;
  el.upload.hidden = false;
  el.attach.disabled = true;
  const job = uploadFile(channelId, token, file, {
    maxBytes: max,
    onProgress: (fraction) => { el.uploadProgress.value = Math.round(fraction * 100); },
  });
  state.upload = job;
  job.promise
    .then((uploaded) => {
      if (state.upload !== job) return;
      if (chat.open && chat.channel.channelId === channelId) chat.sendFile(uploaded);
    })
    .catch((e) => {
      if (state.upload !== job || e.status === -1) return;
      showComposerError(e.message);
    })
    .finally(() => {
      if (state.upload === job) stopUpload();
    });
}

function stopUpload() {
  const job = state.upload;
  state.upload = null;
  el.upload.hidden = true;
  el.attach.disabled = false;
  if (job) job.abort();
}

el.uploadCancel.addEventListener('click', () => stopUpload());

// ---- unread count and notifications --------------------------------------------------------

function onPeerMessage(m) {
  if (document.visibilityState === 'visible') return;
  state.unread++;
  document.title = `(${state.unread}) ${TITLE}`;
  const from = (chat.channel && chat.channel.peer && chat.channel.peer.name) || 'Stranger';
  const body = typeof m.text === 'string' ? m.text.slice(0, 140) : 'sent a file';
  notify(from, body);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') {
    state.unread = 0;
    document.title = TITLE;
  }
});

function notificationsOn() {
  return 'Notification' in window && Notification.permission === 'granted' && localStorage.getItem(NOTIFY_KEY) === '1';
}

function notify(title, body) {
  if (!notificationsOn()) return;
  try {
    const n = new Notification(title, { body, tag: 'random-chat', icon: 'favicon.svg' });
    n.addEventListener('click', () => {
      window.focus();
      n.close();
    });
  } catch {
    // Some browsers only allow notifications from a service worker: no notification then.
  }
}

function renderBell() {
  const on = notificationsOn();
  el.bell.setAttribute('aria-pressed', String(on));
  el.bellText.textContent = on ? 'Notifications on' : 'Turn on notifications';
  el.bell.title = on ? 'Notifications are on (click to turn off)' : 'Notify me of new messages';
}

if ('Notification' in window && window.isSecureContext) {
  el.bell.hidden = false;
  renderBell();
  el.bell.addEventListener('click', async () => {
    if (notificationsOn()) {
      localStorage.setItem(NOTIFY_KEY, '0');
    } else if (Notification.permission === 'denied') {
      toast('Notifications are blocked in your browser settings.');
    } else {
      const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      if (permission === 'granted') {
        localStorage.setItem(NOTIFY_KEY, '1');
        toast('You will be notified of new messages while this tab is hidden.');
      }
    }
    renderBell();
  });
}

// ---- small things ------------------------------------------------------------------------

let toastTimer = 0;

function toast(text) {
  el.toast.textContent = text;
  el.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.toast.hidden = true; }, TOAST_MS);
}

/** Keeps the layout as tall as the visible viewport, so the composer stays above the keyboard. */
function fitViewport() {
  const vv = window.visualViewport;
  if (!vv || Math.abs(vv.scale - 1) > 0.01) return; // pinch-zoomed: leave the layout alone
  document.documentElement.style.setProperty('--app-height', `${Math.round(vv.height)}px`);
  if (window.scrollY !== 0 && state.screen === 'chat') window.scrollTo(0, 0);
}

if (window.visualViewport) {
  window.visualViewport.addEventListener('resize', fitViewport);
  fitViewport();
}

// ---- start -------------------------------------------------------------------------------

async function boot() {
  el.name.value = store.name();
  el.interests.value = store.interests();
  state.interests = parseInterests(el.interests.value).tags || [];
  autogrow();

  const channel = store.channel();
  let guest;
  try {
    guest = await currentGuest();
  } catch {
    guest = undefined; // the server is unreachable right now; the socket will keep trying
  }
  if (guest) {
    state.me = { id: guest.id, name: guest.name };
    if (!el.name.value) el.name.value = guest.name;
  }
  if (channel && guest !== null) {
    // A returning visitor with an open channel goes straight back to it.
    chat.show(channel, { fresh: false });
    showScreen('chat');
    socket.start();
    return;
  }
  if (channel) chat.forget();
  showScreen('home');
}

boot();
