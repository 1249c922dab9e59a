import { formatBytes } from "../render/format-bytes.js";

/**
 * A one-line hashing progress bar, redrawn in place on a terminal (stderr, so stdout stays the
 * result). Off the terminal it draws nothing. Redraws at most every 200 ms.
 */
export function hashProgress(
  out: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number },
  label: string,
): { update: (done: number, total: number) => void; end: () => void } {
  if (out.isTTY !== true) return { update: () => {}, end: () => {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 200 && done < total) return;
      last = now;
      const width = 30;
      const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
      const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
      out.write(`\r\x1b[2K${label} [${bar}] ${formatBytes(done)} / ${formatBytes(total)}`);
      drawn = true;
    },
    end() {
      if (drawn) out.write("\r\x1b[2K");
    },
  };
}
