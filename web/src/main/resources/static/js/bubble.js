// One message as DOM: the speaker (for screen readers) outside the text element, the text in
// its own `dir="auto"` element so right-to-left text lays out by itself, files with their name
// and size, the stranger's pictures blurred until clicked. User text only as text nodes.

import { humanSize } from './upload.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** Appends `text` to `parent`, turning http(s) URLs into links; everything else stays text. */
export function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    // Trailing punctuation usually ends the sentence, not the URL.
    while (/[.,!?;:]$/.test(url) || (url.endsWith(')') && !url.includes('('))) url = url.slice(0, -1);
    const start = match.index;
    let href = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (start > last) parent.append(document.createTextNode(text.slice(last, start)));
    const a = document.createElement('a');
    a.href = href;
    a.rel = 'noopener noreferrer nofollow';
    a.target = '_blank';
    a.textContent = url;
    parent.append(a);
    last = start + url.length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

/** A same-origin path such as "/api/files/..": the only URLs we put into src/href for files. */
function sameOriginUrl(url) {
  if (typeof url !== 'string' || !url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.origin === window.location.origin ? parsed.href : null;
  } catch {
    return null;
  }
}

function make(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function fileIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', width: '20', height: '20', 'aria-hidden': 'true', focusable: 'false' })) {
    svg.setAttribute(k, v);
  }
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2Zm7 1.5V9h5.5L13 3.5ZM12 11v5.6l-2.3-2.3-1.4 1.4 4.7 4.7 4.7-4.7-1.4-1.4-2.3 2.3V11h-2Z');
  svg.append(path);
  return svg;
}

/** "sunset.png, 4.2 KB" under a picture: name in its own dir="auto" element. */
function caption(name, size) {
  const p = make('p', 'file-caption');
  const nameEl = make('span', 'file-name', name);
  nameEl.dir = 'auto';
  p.append(nameEl);
  if (Number.isFinite(size)) p.append(' ', make('span', 'file-size', humanSize(size)));
  return p;
}

function fileLink(url, name, size) {
  const link = make(url ? 'a' : 'span', 'file-link');
  if (url) {
    link.href = url;
    link.rel = 'noopener';
    link.target = '_blank';
    link.setAttribute('download', name);
  }
  const label = make('span', 'file-name', name);
  label.dir = 'auto';
  link.append(fileIcon(), label, make('span', 'file-size', Number.isFinite(size) ? humanSize(size) : ''));
  return link;
}

/** The picture as a link to its full size. */
function pictureLink(url, name, onLoad, onError) {
  const a = make('a', 'picture');
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener';
  a.title = `${name}: open full size`;
  const img = document.createElement('img');
  img.alt = name;
  img.decoding = 'async';
  img.addEventListener('load', onLoad);
  img.addEventListener('error', onError, { once: true });
  img.src = url;
  a.append(img);
  return a;
}

/**
 * A picture behind a button that reveals it. The blurred preview is the same image (so its
 * size is known); the button says what it is and who sent it.
 */
function blurredPicture(url, name, size, from, onLoad, onError) {
  const button = make('button', 'reveal');
  button.type = 'button';
  button.setAttribute('aria-label', `Show the picture ${name}${Number.isFinite(size) ? `, ${humanSize(size)}` : ''}, from ${from}`);
  const img = document.createElement('img');
  img.alt = '';
  img.decoding = 'async';
  img.addEventListener('load', onLoad);
  img.addEventListener('error', onError, { once: true });
  img.src = url;
  button.append(img, make('span', 'reveal-label', 'Click to show'));
  button.addEventListener('click', () => {
    const link = pictureLink(url, name, onLoad, onError);
    button.replaceWith(link);
    link.focus();
  }, { once: true });
  return button;
}

/**
 * A message element: `m` is a `message` frame (or a pending entry shaped like one).
 * @param {object} options {mine, from (the sender's name), blur, onLoad (a picture loaded)}
 */
export function renderMessage(m, { mine, from, blur, onLoad }) {
  const el = make('div', `msg ${mine ? 'mine' : 'theirs'}`);
  if (m.cmid) el.dataset.cmid = m.cmid;
  if (Number.isInteger(m.seq)) el.dataset.seq = String(m.seq);
  el.append(make('span', 'visually-hidden', mine ? 'You: ' : `${from}: `));

  const bubble = make('div', 'bubble');
  const file = m.file;
  if (file) {
    const url = sameOriginUrl(file.url);
    const name = typeof file.name === 'string' && file.name ? file.name : 'file';
    const size = Number.isFinite(file.size) ? file.size : NaN;
    const isImage = typeof file.contentType === 'string' && file.contentType.startsWith('image/');
    const asLink = () => {
      bubble.classList.remove('media');
      bubble.replaceChildren(fileLink(url, name, size));
    };
    if (url && isImage) {
      bubble.classList.add('media');
      bubble.append(blur && !mine
        ? blurredPicture(url, name, size, from, onLoad, asLink)
        : pictureLink(url, name, onLoad, asLink));
      bubble.append(caption(name, size));
    } else {
      bubble.append(fileLink(url, name, size));
    }
  } else {
    const text = make('p', 'text');
    text.dir = 'auto';
    appendLinkified(text, typeof m.text === 'string' ? m.text : '');
    bubble.append(text);
  }

  const meta = make('div', 'meta');
  meta.append(document.createElement('time'));
  el.append(bubble, meta);
  if (m.sentAt) setTime(el, m.sentAt);
  return el;
}

export function setTime(el, sentAt) {
  const time = el.querySelector('time');
  const date = new Date(sentAt);
  if (!time || Number.isNaN(date.getTime())) return;
  time.dateTime = date.toISOString();
  time.textContent = timeFormat.format(date);
}

/** The small state under an own message ("sending", "not sent"), or none. */
export function setState(el, text, failed = false) {
  const meta = el.querySelector('.meta');
  let state = meta.querySelector('.state');
  if (!text) {
    if (state) state.remove();
    return;
  }
  if (!state) {
    state = make('span', 'state');
    meta.append(state);
  }
  state.textContent = text;
  state.classList.toggle('state-failed', failed);
}
