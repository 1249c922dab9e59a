// @ts-check
import { formatRate } from "./format.js?token=__TOKEN__";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 200;
const HOUR_MS = 60 * 60_000;

/** @typedef {[number, number, number]} Sample [epoch ms, sent bytes/s, hashed bytes/s] */

/**
 * @param {string} name
 * @param {Record<string, string>} attrs
 */
function svgElement(name, attrs) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

/**
 * Draws the last hour of throughput into `svg` (sent: solid line, hashed: dashed, so the two are
 * told apart without color) and writes a text summary into `caption` for screen readers.
 * @param {SVGGElement} svg
 * @param {HTMLElement} caption
 * @param {Sample[]} samples
 * @param {number} now
 */
export function drawChart(svg, caption, samples, now) {
  svg.replaceChildren();
  const shown = samples.filter((s) => s[0] >= now - HOUR_MS);
  // The axis spans the last hour, or less when there is less history, so a young job is not a
  // sliver at the right edge.
  const from = Math.min(now - 60_000, shown[0]?.[0] ?? now);
  const span = Math.max(1, now - from);
  const max = Math.max(1, ...shown.map((s) => Math.max(s[1], s[2])));
  for (let i = 1; i < 4; i++) {
    svg.append(
      svgElement("line", {
        x1: "0",
        x2: String(WIDTH),
        y1: String((HEIGHT * i) / 4),
        y2: String((HEIGHT * i) / 4),
        class: "grid",
      }),
    );
  }
  /** @param {number} index */
  const line = (index) =>
    shown
      .map((s) => {
        const x = ((s[0] - from) / span) * WIDTH;
        const y = HEIGHT - (s[index] / max) * (HEIGHT - 8);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(" ");
  if (shown.length > 0) {
    svg.append(
      svgElement("polyline", { points: line(2), class: "hashed", "data-points": String(shown.length) }),
    );
    svg.append(
      svgElement("polyline", { points: line(1), class: "sent", "data-points": String(shown.length) }),
    );
  }
  svg.dataset.points = String(shown.length);
  const last = shown.at(-1);
  const peakSent = Math.max(0, ...shown.map((s) => s[1]));
  caption.textContent =
    last === undefined
      ? "No samples in the last hour."
      : `${shown.length} samples over the last ${Math.max(1, Math.round(span / 60_000))} min. Latest: sent ${formatRate(last[1])}, hashed ${formatRate(last[2])}. ` +
        `Peak sent ${formatRate(peakSent)}; scale top ${formatRate(max)}.`;
}
