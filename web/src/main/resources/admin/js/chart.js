// A small line chart of the last hour, drawn as SVG by the page itself (no library, no inline style).

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 36, right: 8, top: 10, bottom: 22 };

function node(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
  return element;
}

/** Draws each series (an array of numbers, oldest first) into `container`, one line each. */
export function drawChart(container, series, label) {
  const points = Math.max(...series.map((line) => line.values.length), 2);
  const top = Math.max(1, ...series.flatMap((line) => line.values));
  const x = (i) => PAD.left + (i * (WIDTH - PAD.left - PAD.right)) / (points - 1);
  const y = (v) => HEIGHT - PAD.bottom - (v * (HEIGHT - PAD.top - PAD.bottom)) / top;
  const svg = node('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label, class: 'chart', preserveAspectRatio: 'none' });
  for (const fraction of [0, 0.5, 1]) {
    const value = Math.round(top * fraction);
    svg.append(node('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value), class: 'grid' }));
    const text = node('text', { x: PAD.left - 6, y: y(value) + 4, class: 'axis', 'text-anchor': 'end' });
    text.textContent = String(value);
    svg.append(text);
  }
  for (const [i, caption] of [[0, '-60 min'], [Math.floor((points - 1) / 2), '-30 min'], [points - 1, 'now']]) {
    const text = node('text', { x: x(i), y: HEIGHT - 6, class: 'axis', 'text-anchor': i === 0 ? 'start' : i === points - 1 ? 'end' : 'middle' });
    text.textContent = caption;
    svg.append(text);
  }
  for (const line of series) {
    const path = line.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    if (line.area) {
      // Filled below, so a line that lies on another (both 0) still shows.
      const base = `${x(line.values.length - 1).toFixed(1)},${y(0)} ${x(0).toFixed(1)},${y(0)}`;
      svg.append(node('polygon', { points: `${path} ${base}`, class: `area ${line.name}` }));
    }
    svg.append(node('polyline', { points: path, class: `line ${line.name}` }));
  }
  container.replaceChildren(svg);
}
