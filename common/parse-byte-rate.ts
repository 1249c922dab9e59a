/**
 * Parses a bandwidth in bytes per second, as `--max-rate`, the daemon's settings and the control
 * API take it: a plain number (`10000000`), or a number with a unit: `k`, `M`, `G`, `T` are powers
 * of 1000 (`50M` = 50,000,000; the letter's case does not matter) and `Ki`, `Mi`, `Gi`, `Ti` powers of 1024 (`1Mi` = 1,048,576). An
 * optional trailing `B` and `/s` are allowed (`50MB/s`). The one parser every entry point shares,
 * so `50M` means the same everywhere.
 *
 * Returns a whole number of bytes per second ≥ 1, or null when the text is not a rate (the caller
 * words the error for its own surface: a usage error on the command line, a bad request on the API).
 */
const RATE = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kKmMgGtT])(i?))?(?:B)?(?:\/s)?$/;

const EXPONENT: Readonly<Record<string, number>> = { K: 1, M: 2, G: 3, T: 4 };

export function parseByteRate(text: string): number | null {
  const match = RATE.exec(text.trim());
  if (match === null) return null;
  const [, digits = "", unit, binary] = match;
  const base = binary === "i" ? 1024 : 1000;
  const factor = unit === undefined ? 1 : base ** (EXPONENT[unit.toUpperCase()] ?? 0);
  const bytes = Math.floor(Number(digits) * factor);
  if (!Number.isSafeInteger(bytes) || bytes < 1) return null;
  return bytes;
}

/** The message every surface shows for a value parseByteRate refused. */
export function byteRateHint(text: string): string {
  return `${JSON.stringify(text)} is not a rate in bytes per second: give a number, optionally with a unit, e.g. 800k, 50M, 1.5G (powers of 1000) or 100Mi (powers of 1024); it must be at least 1 byte/s`;
}
