// Entry point: builds the parts, routes server frames to them and switches screens. Each part
// owns its own piece of the page (see the header of each module); this file owns only
// body[data-screen] and the screens' [hidden].

import * as api from './api.js';
import { ChatSocket } from './socket.js';
import { Matcher, parseInterests } from './match.js';
import { Chat } from './chat.js';
import { MessageLog } from './log.js';
import { ChatHead } from './head.js';
import { Composer } from './composer.js';
import { Landing } from './landing.js';
import { Safety } from './safety.js';
import { Status } from './status.js';
import { Notifier } from './notify.js';
import { store } from './store.js';
import { startCalls } from './call.js';
import { toast } from './toast.js';
import { followViewport } from './viewport.js';

const $ = (id) => document.getElementById(id);
const screens = { home: $('screen-home'), waiting: $('screen-waiting'), chat: $('screen-chat') };
const coarsePointer = window.matchMedia('(pointer: coarse)');
const state = { me: null, limits: {}, screen: 'home', interests: [] };

/** GET /api/guests/me, skipped (null) when this browser never had a guest. */
async function currentGuest() {
  if (!store.hadGuest()) return null;
  const guest = await api.me();
  if (!guest) store.setHadGuest(false);
  return guest;
}

const socket = new ChatSocket({
  checkAuth: async () => {
    try {
      return (await currentGuest()) ? 'ok' : 'unauthorized';
    } catch {
      return 'unknown';
    }
  },
});
const status = new Status();
const notifier = new Notifier({ toast });
const log = new MessageLog({ onVisible: (seqs) => chat.maybeSendSeen(seqs), blur: () => store.blur() });
const head = new ChatHead({ next, leave, newChat, home: goHome });
const chat = new Chat({
  socket,
  log,
  head,
  me: () => state.me,
  limits: () => state.limits,
  onPeerMessage: (m) => notifier.message(chat.peerName, m),
  onFinished: onChatEnded,
});
const composer = new Composer({ chat, limits: () => state.limits, coarsePointer });
const safety = new Safety({
  send: (frame) => {
    if (frame.type === 'report' || frame.type === 'block') calls.stop();
    return chat.joinedHere || !chat.open ? socket.send(frame) : false;
  },
  openChannel: () => (chat.open ? chat.channel : null),
  toast,
});
const matcher = new Matcher({ socket, onCancel: cancelWaiting });
const landing = new Landing({ currentGuest, onReady: startMatching });
$('new-pill').addEventListener('click', () => composer.focus());
// Video and voice calls: their own frames, and they end (camera released) whenever this chat does.
const calls = startCalls({
  send: (frame) => socket.send(frame),
  channel: () => (chat.open ? chat.channel : null),
  peerName: () => chat.peerName,
  mount: { actions: document.querySelector('#screen-chat .chat-actions'), before: document.querySelector('#screen-chat .log-wrap') },
});

socket.addEventListener('frame', (event) => onFrame(event.detail.frame));
socket.addEventListener('state', (event) => {
  status.show(event.detail);
  if (chat.open) chat.outbox.flush();
  if (chat.open && event.detail.state !== 'connected') head.setPresence('unknown', chat.peerName);
  onStopped(event.detail);
});

function onFrame(frame) {
  switch (frame.type) {
    case 'hello':
      state.me = frame.you || state.me;
      state.limits = frame.limits || {};
      composer.updateCounter();
      if (chat.open) chat.onHello();
      else if (matcher.active) matcher.sendMatch();
      break;
    case 'waiting': matcher.onWaiting(frame); break;
    case 'matched': onMatched(frame); break;
    case 'joined':
      chat.onJoined(frame);
      calls.channelChanged();
      break;
    case 'message': chat.onMessage(frame); break;
    case 'ack': chat.onAck(frame); break;
    case 'seen': chat.onSeen(frame); break;
    case 'typing': chat.onTyping(frame); break;
    case 'presence': chat.onPresence(frame); break;
    case 'reported':
      chat.onReported(frame);
      safety.onReported(frame);
      break;
    case 'blocked': safety.onBlocked(frame); break;
    case 'ended':
      chat.onEnded(frame);
      calls.channelChanged();
      break;
    case 'media':
    case 'signal':
      calls.onFrame(frame);
      break;
    case 'error': onServerError(frame); break;
    default: break; // `cancelled`, and frame types added later
  }
}

function onMatched(frame) {
  if (chat.open && chat.channel.channelId === frame.channelId) {
    // A retried `match` answered with the channel we are already in.
    chat.onJoined({ channelId: frame.channelId, peer: frame.peer, peerOnline: true });
    return;
  }
  if (!matcher.active) return; // not ours to act on
  matcher.end();
  const channel = {
    channelId: frame.channelId,
    token: frame.token,
    lastSeq: 0,
    seen: 0,
    peer: frame.peer || null,
    commonInterests: Array.isArray(frame.commonInterests) ? frame.commonInterests : [],
  };
  openChat(channel, { fresh: true, hadInterests: matcher.interests.length > 0 });
  notifier.matched(chat.peerName);
}

function onServerError(frame) {
  if (calls.onError(frame) || safety.onError(frame) || chat.onError(frame)) return;
  if (frame.code === 'not_in_channel' || frame.code === 'channel_closed') return;
  if (matcher.active && frame.ref === 'match') {
    matcher.end();
    showHome(frame.message || 'Could not start matching.');
    return;
  }
  if (frame.code === 'rate_limited') toast('Slow down a little.');
  else if (frame.message) toast(frame.message);
}

/** The chat ended (`ended`, or closed under us), or the stored channel could not be opened again. */
function onChatEnded(why, ended) {
  composer.stopUpload();
  calls.channelChanged();
  status.setInChat(false);
  if (why === 'gone') {
    socket.stop();
    showHome('Your previous chat has ended.');
    return;
  }
  safety.setEnded(ended);
  notifier.ended($('ended-text').textContent);
  // Retrying cannot bring a closed channel back: stop, and say so.
  if (why === 'closed') socket.stop('closed');
}

function onStopped({ state: s, reason }) {
  if (s !== 'stopped' || (reason !== 'banned' && reason !== 'unauthorized')) return;
  matcher.end();
  if (chat.open) chat.close();
  if (reason === 'unauthorized') {
    state.me = null;
    landing.me = null;
  }
  showHome(reason === 'banned' ? 'You have been banned from Random Chat.' : 'Your session expired. Press Start to continue.');
}

// ---- screens and the moves between them ----------------------------------------------------

function showScreen(name) {
  state.screen = name;
  for (const [key, section] of Object.entries(screens)) section.hidden = key !== name;
  document.body.dataset.screen = name;
  notifier.setVisible(name !== 'home');
  if (name !== 'home') landing.setShown(false);
  status.setInChat(name === 'chat' && chat.open);
  calls.channelChanged();
}

function showHome(message = '') {
  composer.stopUpload();
  showScreen('home');
  landing.setShown(true, message);
  landing.focus(coarsePointer.matches);
}

function openChat(channel, options) {
  composer.reset();
  safety.setEnded(null);
  chat.show(channel, options);
  showScreen('chat');
  composer.focus();
}

function startMatching(guest, tags, fresh) {
  state.me = guest;
  state.interests = tags;
  if (fresh || !socket.connected) socket.restart();
  waitForStranger(null);
}

/** Shows the waiting screen; `leftPeer` is the name of the stranger just left, if any. */
function waitForStranger(leftPeer) {
  composer.stopUpload();
  matcher.begin(state.interests, leftPeer);
  showScreen('waiting');
  matcher.focus();
}

function cancelWaiting() {
  matcher.cancel();
  socket.stop();
  showHome();
}

function next() {
  if (!chat.open) {
    newChat();
    return;
  }
  const name = chat.peerName;
  calls.stop();
  if (!chat.joinedHere || !socket.send({ type: 'leave' })) {
    toast('Not connected. Try again in a moment.');
    return;
  }
  chat.close();
  waitForStranger(name);
}

function leave(block) {
  if (!chat.open) return;
  calls.stop();
  if (!chat.joinedHere || !socket.send(block ? { type: 'leave', block: true } : { type: 'leave' })) {
    toast('Not connected. Try again in a moment.');
  }
}

function newChat() {
  const left = chat.channel ? chat.peerName : null;
  chat.close();
  if (!state.interests.length) state.interests = parseInterests(store.interests()).tags || [];
  socket.start();
  waitForStranger(left);
}

function goHome() {
  chat.close();
  socket.stop();
  showHome();
}

// ---- start -------------------------------------------------------------------------------

followViewport(() => state.screen === 'chat');

async function boot() {
  const channel = store.channel();
  let guest;
  try {
    guest = await currentGuest();
  } catch {
    guest = undefined; // the server is unreachable right now; the socket will keep trying
  }
  if (guest) state.me = { id: guest.id, name: guest.name };
  landing.restore(guest || null);
  state.interests = landing.interests();
  composer.reset();
  if (channel && guest !== null) {
    // A returning visitor with an open channel goes straight back to it.
    openChat(channel, { fresh: false });
    socket.start();
    return;
  }
  if (channel) chat.forget();
  showHome();
}

boot();
