// Reports: newest first, one page at a time, filtered; each with its evidence as a conversation
// and the actions an operator may take.

import { api, Unauthorized } from './api.js';
import { announce, el, time, when, clock } from './dom.js';

const PAGE = 20;
const REASONS = { spam: 'Spam', abuse: 'Abuse', sexual: 'Sexual content', minor: 'Minor', other: 'Other' };
const DURATIONS = [[1, '1 hour'], [24, '1 day'], [24 * 7, '7 days'], [24 * 30, '30 days'], [24 * 365, '1 year']];
const ACTIONS = { 'ban-guest': 'Guest banned', 'ban-address': 'Address banned', dismiss: 'Dismissed' };

export function createReports(onUnauthorized) {
  const form = document.getElementById('filters');
  const list = document.getElementById('report-list');
  const more = document.getElementById('more');
  const empty = document.getElementById('reports-empty');
  const error = document.getElementById('reports-error');
  let next = null;
  let query = {};

  function currentQuery() {
    const data = new FormData(form);
    const query = { limit: PAGE, status: data.get('status') };
    for (const name of ['reason', 'guest']) {
      const value = String(data.get(name) ?? '').trim();
      if (value) {
        query[name] = value;
      }
    }
    for (const name of ['from', 'to']) {
      const value = String(data.get(name) ?? '');
      if (value) {
        query[name] = new Date(`${value}:00Z`).toISOString();
      }
    }
    return query;
  }

  async function load(append) {
    error.textContent = '';
    try {
      const page = await api.reports(append && next ? { ...query, cursor: next } : query);
      if (!append) {
        list.replaceChildren();
      }
      page.reports.forEach((report) => list.append(render(report)));
      next = page.next;
      more.hidden = !next;
      empty.hidden = list.children.length > 0;
      announce(`${page.reports.length} ${page.reports.length === 1 ? 'report' : 'reports'} loaded.`);
    } catch (failure) {
      handle(failure);
    }
  }

  function handle(failure) {
    if (failure instanceof Unauthorized) {
      onUnauthorized();
      return;
    }
    error.textContent = `Could not load reports: ${failure.message}`;
  }

  function render(report) {
    const id = report.id;
    const guests = report.guests ?? {};
    const reporter = guests.reporter ?? { id: report.reporter };
    const reported = guests.reported ?? { id: report.reported };
    const titleId = `r-${id}-title`;
    const item = el('li', { class: 'report card', 'data-report-id': id });
    const article = el('article', { 'aria-labelledby': titleId });
    const status = report.status ?? 'open';
    article.append(
      el('header', { class: 'report-head' },
        el('h3', { id: titleId, tabindex: '-1' },
          el('span', { class: `reason reason-${report.reason}`, text: REASONS[report.reason] ?? report.reason }),
          ' report, ', time(report.createdAt)),
        el('span', { class: `status status-${status}`, text: status === 'open' ? 'Open' : (ACTIONS[report.action?.kind] ?? status) })),
      el('dl', { class: 'people' },
        person('Reported', reported),
        person('Reporter', reporter)),
    );
    if (report.note) {
      article.append(el('p', { class: 'note' }, el('strong', { text: 'Note: ' }), el('span', { text: report.note })));
    }
    article.append(evidence(report, reporter, reported));
    article.append(status === 'open' ? actions(report, reported, item) : outcome(report.action));
    item.append(article);
    return item;
  }

  function person(role, guest) {
    return el('div', {},
      el('dt', { text: role }),
      el('dd', {},
        el('span', { class: 'name', text: guest.name ?? 'name unknown' }), ' ',
        el('code', { class: 'id', text: guest.id }),
        el('span', { class: 'muted', text: ' · address ' }),
        el('code', { text: guest.address ?? 'unknown' })));
  }

  function evidence(report, reporter, reported) {
    const messages = report.evidence ?? [];
    const section = el('section', { class: 'evidence', 'aria-label': `Evidence, ${messages.length} messages` });
    section.append(el('h4', { text: messages.length ? `Conversation (last ${messages.length} messages)` : 'No messages before the report' }));
    const conversation = el('ol', { class: 'conversation' });
    for (const message of messages) {
      const fromReported = message.from === reported.id;
      const who = fromReported ? reported : reporter;
      const line = el('li', { class: `msg ${fromReported ? 'from-reported' : 'from-reporter'}` },
        el('p', { class: 'meta' },
          el('span', { class: 'who', text: `${who.name ?? message.from} (${fromReported ? 'reported' : 'reporter'})` }),
          ' ', time(message.sentAt, clock)));
      line.append(message.file ? file(message.file, who) : el('p', { class: 'text', text: message.text ?? '' }));
      conversation.append(line);
    }
    section.append(conversation);
    return section;
  }

  function file(info, who) {
    if (/^image\/(png|jpeg|gif|webp)$/.test(info.contentType ?? '')) {
      const image = el('img', { src: info.url, alt: `Image from ${who.name ?? 'a guest'}: ${info.name}`, loading: 'lazy', decoding: 'async' });
      const button = el('button', { type: 'button', class: 'thumb', 'aria-pressed': 'false' },
        image, el('span', { class: 'thumb-label', text: 'Blurred: select to show' }));
      // A file deleted before its report held it (the chat ended first) is gone: say so.
      image.addEventListener('error', () => {
        button.replaceWith(el('p', { class: 'text muted', text: `Image ${info.name}: no longer available` }));
      }, { once: true });
      button.addEventListener('click', () => {
        const shown = button.getAttribute('aria-pressed') !== 'true';
        button.setAttribute('aria-pressed', String(shown));
        button.classList.toggle('revealed', shown);
        button.lastChild.textContent = shown ? 'Shown: select to blur' : 'Blurred: select to show';
      });
      return button;
    }
    return el('p', { class: 'text' }, el('a', { href: info.url, download: info.name, text: `${info.name} (${info.size} bytes)` }));
  }

  function actions(report, reported, item) {
    const selectId = `hours-${report.id}`;
    const select = el('select', { id: selectId });
    DURATIONS.forEach(([hours, label]) => select.append(el('option', { value: String(hours), text: label })));
    select.value = '24';
    const group = el('div', { class: 'actions', role: 'group', 'aria-label': 'Act on this report' },
      el('label', { for: selectId, text: 'Ban for' }), select);
    const buttons = [
      el('button', { type: 'button', class: 'danger', 'data-action': 'ban-guest', text: 'Ban guest' }),
      el('button', { type: 'button', class: 'danger', 'data-action': 'ban-address', text: 'Ban address', disabled: !reported.address }),
      el('button', { type: 'button', 'data-action': 'dismiss', text: 'Dismiss' }),
    ];
    buttons.forEach((button) => {
      group.append(button);
      button.addEventListener('click', () => act(report, button.dataset.action, Number(select.value), item, buttons));
    });
    return group;
  }

  async function act(report, action, hours, item, buttons) {
    buttons.forEach((button) => { button.disabled = true; });
    error.textContent = '';
    try {
      const updated = await api.act(report.id, action, action === 'dismiss' ? undefined : hours);
      const said = `${ACTIONS[action]}: ${REASONS[report.reason] ?? report.reason} report of ${when(report.createdAt)}.`;
      if (query.status === 'open') {
        const following = item.nextElementSibling ?? item.previousElementSibling;
        item.remove();
        empty.hidden = list.children.length > 0;
        (following?.querySelector('h3') ?? document.getElementById('reports-title')).focus();
      } else {
        const replacement = render(updated);
        item.replaceWith(replacement);
        replacement.querySelector('h3').focus();
      }
      announce(said);
    } catch (failure) {
      buttons.forEach((button) => { button.disabled = false; });
      handle(failure);
    }
  }

  function outcome(action) {
    if (!action) {
      return el('p', { class: 'outcome' });
    }
    const until = action.until ? `, until ${when(action.until)}` : '';
    return el('p', { class: 'outcome', text: `${ACTIONS[action.kind] ?? action.kind} by ${action.actor} on ${when(action.at)}${until}.` });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    query = currentQuery();
    load(false);
  });
  form.addEventListener('reset', () => {
    setTimeout(() => {
      query = currentQuery();
      load(false);
    });
  });
  more.addEventListener('click', () => load(true));

  return {
    show() {
      query = currentQuery();
      return load(false);
    },
  };
}
