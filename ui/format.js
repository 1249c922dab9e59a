// @ts-check
/** Formatting helpers of the status page: text only (the caller puts it in textContent). */

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** @param {number} bytes */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** @param {number} bytesPerSec */
export function formatRate(bytesPerSec) {
  return bytesPerSec > 0 ? `${formatBytes(bytesPerSec)}/s` : "idle";
}

/** @param {number | null} seconds */
export function formatEta(seconds) {
  if (seconds === null) return "unknown";
  if (seconds === 0) return "—";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** @param {string | null} iso */
export function formatTime(iso) {
  if (iso === null) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : date.toLocaleString();
}

/** States in words with a symbol, so they never depend on color alone. */
/** @type {Record<string, string>} */
export const STATE_LABELS = {
  active: "▶ uploading",
  paused: "⏸ paused",
  blocked: "⚠ blocked",
  done: "✔ done",
  cancelled: "✖ cancelled",
};

/** @param {string} state */
export function stateLabel(state) {
  return STATE_LABELS[state] ?? state;
}
