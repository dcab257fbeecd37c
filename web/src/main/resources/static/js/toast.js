// The toast (#toast): one short line over the page, for what needs no answer ("Slow down a
// little."), hidden again after a few seconds.

const TOAST_MS = 4_000;

let timer = 0;

export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => { el.hidden = true; }, TOAST_MS);
}
