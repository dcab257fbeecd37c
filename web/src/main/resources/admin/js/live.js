// Live state: the numbers every few seconds, the last hour's chart less often.

import { api, Unauthorized } from './api.js';
import { drawChart } from './chart.js';
import { announce, clock } from './dom.js';

const NUMBERS_EVERY_MS = 3000;
/** The hour's chart reads 60 minute buckets from Redis: less often than the numbers. */
const SERIES_EVERY_MS = 9000;

export function createLive(onUnauthorized) {
  const updated = document.getElementById('live-updated');
  const error = document.getElementById('live-error');
  const chart = document.getElementById('chart');
  let numbersTimer = null;
  let seriesTimer = null;
  let failing = false;

  function handle(failure) {
    if (failure instanceof Unauthorized) {
      onUnauthorized();
      return;
    }
    if (!failing) {
      error.textContent = `Live numbers are not updating: ${failure.message}`;
      failing = true;
    }
  }

  function recovered() {
    if (failing) {
      error.textContent = '';
      failing = false;
      announce('Live numbers are updating again.');
    }
  }

  async function numbers() {
    try {
      const now = await api.live();
      for (const dd of document.querySelectorAll('[data-stat]')) {
        dd.textContent = String(now[dd.dataset.stat] ?? '–');
      }
      updated.textContent = `updated ${clock(now.at)} UTC`;
      recovered();
    } catch (failure) {
      handle(failure);
    }
  }

  async function series() {
    try {
      const { points } = await api.series();
      const sockets = points.map((p) => p.sockets);
      const pairs = points.map((p) => p.pairs);
      const label = `Last hour: sockets open from ${Math.min(...sockets)} to ${Math.max(...sockets)}, now ${sockets.at(-1)}; `
        + `${pairs.reduce((a, b) => a + b, 0)} pairs made.`;
      drawChart(chart, [{ name: 'sockets', values: sockets, area: true }, { name: 'pairs', values: pairs }], label);
      recovered();
    } catch (failure) {
      handle(failure);
    }
  }

  return {
    start() {
      this.stop();
      numbers();
      series();
      numbersTimer = setInterval(numbers, NUMBERS_EVERY_MS);
      seriesTimer = setInterval(series, SERIES_EVERY_MS);
    },
    stop() {
      clearInterval(numbersTimer);
      clearInterval(seriesTimer);
      numbersTimer = null;
      seriesTimer = null;
    },
  };
}
