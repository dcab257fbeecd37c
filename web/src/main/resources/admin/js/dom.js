// Small helpers for building the page. User-supplied text only ever goes in through textContent.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      node.className = value;
    } else if (name === 'text') {
      node.textContent = value;
    } else {
      node.setAttribute(name, value === true ? '' : value);
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child);
    }
  }
  return node;
}

/** Says something to screen readers through the page's one polite status region. */
export function announce(text) {
  const region = document.getElementById('announce');
  region.textContent = '';
  // A fresh text node after a tick makes repeated announcements heard again.
  setTimeout(() => { region.textContent = text; }, 50);
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC' });

export function when(iso) {
  return iso ? `${dateTime.format(new Date(iso))} UTC` : '';
}

export function clock(iso) {
  return iso ? timeOnly.format(new Date(iso)) : '';
}

export function time(iso, format = when) {
  return el('time', { datetime: iso, text: format(iso) });
}
