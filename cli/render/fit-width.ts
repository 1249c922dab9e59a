// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Visible characters of a line (ANSI sequences removed, code points counted once). */
export function visibleLength(line: string): number {
  return [...line.replace(ANSI, "")].length;
}

/**
 * Cuts a line to `width` visible characters, keeping ANSI sequences intact: a wrapped line would
 * make the in-place redraw move the cursor up by the wrong number of rows.
 */
export function fitWidth(line: string, width: number): string {
  if (width <= 0 || visibleLength(line) <= width) return line;
  let out = "";
  let visible = 0;
  let styled = false;
  let last = 0;
  const keep = width - 1;
  const takeText = (text: string): boolean => {
    for (const ch of text) {
      if (visible >= keep) return false;
      out += ch;
      visible += 1;
    }
    return true;
  };
  for (const match of line.matchAll(ANSI)) {
    if (!takeText(line.slice(last, match.index))) break;
    out += match[0];
    styled = true;
    last = match.index + match[0].length;
  }
  if (visible < keep) takeText(line.slice(last));
  return `${out}…${styled ? "\x1b[0m" : ""}`;
}
