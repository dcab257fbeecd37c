// Keeps the layout as tall as the visible viewport (the root's `--app-height`), so the composer
// stays above an on-screen keyboard.

/**
 * Follows the visual viewport's size, where the browser has one.
 * @param {() => boolean} inChat  the chat screen is shown: the page is kept scrolled to its top
 */
export function followViewport(inChat) {
  if (!window.visualViewport) return;
  const fit = () => {
    const vv = window.visualViewport;
    if (!vv || Math.abs(vv.scale - 1) > 0.01) return; // pinch-zoomed: leave the layout alone
    document.documentElement.style.setProperty('--app-height', `${Math.round(vv.height)}px`);
    if (window.scrollY !== 0 && inChat()) window.scrollTo(0, 0);
  };
  window.visualViewport.addEventListener('resize', fit);
  fit();
}
