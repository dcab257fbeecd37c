// Active bans, soonest to end first, each with a button to lift it early.

import { api, Unauthorized } from './api.js';
import { announce, el, time } from './dom.js';

export function createBans(onUnauthorized) {
  const table = document.getElementById('ban-table');
  const rows = document.getElementById('ban-rows');
  const empty = document.getElementById('bans-empty');
  const error = document.getElementById('bans-error');

  function handle(failure, doing) {
    if (failure instanceof Unauthorized) {
      onUnauthorized();
      return;
    }
    error.textContent = `Could not ${doing}: ${failure.message}`;
  }

  function row(ban) {
    const label = ban.kind === 'guest' ? `guest ${ban.target}` : `address ${ban.target}`;
    const lift = el('button', { type: 'button', 'aria-label': `Lift the ban of ${label}`, text: 'Lift' });
    lift.addEventListener('click', async () => {
      lift.disabled = true;
      error.textContent = '';
      try {
        await api.lift(ban);
        const tr = lift.closest('tr');
        const following = tr.nextElementSibling ?? tr.previousElementSibling;
        tr.remove();
        show(rows.children.length > 0);
        (following?.querySelector('button') ?? document.getElementById('bans-title')).focus();
        announce(`Ban of ${label} lifted.`);
      } catch (failure) {
        lift.disabled = false;
        handle(failure, 'lift the ban');
      }
    });
    return el('tr', {},
      el('td', { text: ban.kind === 'guest' ? 'Guest' : 'Address' }),
      el('td', {}, el('code', { text: ban.target })),
      el('td', {}, time(ban.until)),
      el('td', { text: ban.actor ?? '' }),
      el('td', {}, ban.reportId ? el('code', { text: ban.reportId }) : el('span', { class: 'muted', text: 'none' })),
      el('td', {}, lift));
  }

  function show(any) {
    table.hidden = !any;
    empty.hidden = any;
  }

  return {
    async show() {
      error.textContent = '';
      try {
        const { bans } = await api.bans();
        rows.replaceChildren(...bans.map(row));
        show(bans.length > 0);
        announce(`${bans.length} active ${bans.length === 1 ? 'ban' : 'bans'}.`);
      } catch (failure) {
        handle(failure, 'load the bans');
      }
    },
  };
}
