import t from "tap";
import { fitWidth, visibleLength } from "../../../cli/render/fit-width.js";
import { formatBytes, formatRate } from "../../../cli/render/format-bytes.js";
import { formatDuration } from "../../../cli/render/format-duration.js";

t.test("binary sizes", async (t) => {
  t.equal(formatBytes(0), "0 B");
  t.equal(formatBytes(1023), "1023 B");
  t.equal(formatBytes(1024), "1.00 KiB");
  t.equal(formatBytes(1536), "1.50 KiB");
  t.equal(formatBytes(10 * 1024 * 1024), "10.0 MiB");
  t.equal(formatBytes(1024 * 1024 - 1), "1.00 MiB", "no 1024.0 KiB");
  t.equal(formatBytes(3.5 * 1024 ** 3), "3.50 GiB");
  t.equal(formatBytes(2 * 1024 ** 4), "2.00 TiB");
  t.equal(formatBytes(-1), "? B");
  t.equal(formatRate(1024 * 1024 * 12.34), "12.3 MiB/s");
});

t.test("durations", async (t) => {
  t.equal(formatDuration(null), "unknown");
  t.equal(formatDuration(0), "0s");
  t.equal(formatDuration(45), "45s");
  t.equal(formatDuration(192), "3m 12s");
  t.equal(formatDuration(3600 * 2 + 5 * 60 + 9), "2h 05m");
  t.equal(formatDuration(86_400 * 3 + 3600 * 4), "3d 04h");
  t.equal(formatDuration(Number.POSITIVE_INFINITY), "unknown");
});

t.test("fitWidth keeps ANSI sequences and counts only visible characters", async (t) => {
  t.equal(fitWidth("short", 10), "short");
  t.equal(fitWidth("abcdefghij", 5), "abcd…");
  const cut = fitWidth("\x1b[32mgreen text here\x1b[39m", 6);
  t.equal(visibleLength(cut), 6);
  t.ok(cut.startsWith("\x1b[32mgreen"));
  t.ok(cut.endsWith("…\x1b[0m"), "styles are reset after a cut");
  t.equal(visibleLength(fitWidth("██████████", 4)), 4);
});
