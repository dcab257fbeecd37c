// The operator console: sign in with the admin token, then Reports, Bans and Live.

import { api, forget, remember, token, Unauthorized } from './api.js';
import { createBans } from './bans.js';
import { announce } from './dom.js';
import { createLive } from './live.js';
import { createReports } from './reports.js';

const signIn = document.getElementById('sign-in');
const form = document.getElementById('sign-in-form');
const input = document.getElementById('token');
const signInError = document.getElementById('sign-in-error');
const tabs = document.getElementById('tabs');
const sections = { reports: 'reports', bans: 'bans', live: 'live' };

const reports = createReports(signedOut);
const bans = createBans(signedOut);
const live = createLive(signedOut);
const views = { reports, bans, live };
let current = null;

function signedOut(message = 'The admin token was refused. Sign in again.') {
  forget();
  live.stop();
  current = null;
  tabs.hidden = true;
  Object.values(sections).forEach((id) => { document.getElementById(id).hidden = true; });
  signIn.hidden = false;
  signInError.textContent = message;
  input.focus();
}

function open(name) {
  if (current === name) {
    return;
  }
  current = name;
  for (const [tab, id] of Object.entries(sections)) {
    document.getElementById(id).hidden = tab !== name;
  }
  for (const button of tabs.querySelectorAll('[data-tab]')) {
    if (button.dataset.tab === name) {
      button.setAttribute('aria-current', 'page');
    } else {
      button.removeAttribute('aria-current');
    }
  }
  if (name === 'live') {
    live.start();
  } else {
    live.stop();
    views[name].show();
  }
  document.getElementById(`${name}-title`).setAttribute('tabindex', '-1');
  document.getElementById(`${name}-title`).focus();
}

async function enter() {
  try {
    await api.live();
  } catch (failure) {
    signedOut(failure instanceof Unauthorized ? 'That token was refused.' : `Could not reach the admin API: ${failure.message}`);
    return;
  }
  signInError.textContent = '';
  input.value = '';
  signIn.hidden = true;
  tabs.hidden = false;
  announce('Signed in.');
  open('reports');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = input.value.trim();
  if (!value) {
    signInError.textContent = 'Enter the admin token.';
    input.focus();
    return;
  }
  remember(value);
  enter();
});

tabs.addEventListener('click', (event) => {
  const button = event.target.closest('[data-tab]');
  if (button) {
    current = current === button.dataset.tab ? null : current;
    open(button.dataset.tab);
  }
});

document.getElementById('sign-out').addEventListener('click', () => {
  signedOut('Signed out.');
  announce('Signed out.');
});

if (token()) {
  enter();
} else {
  input.focus();
}
