import t from "tap";
import { visibleLength } from "../../../cli/render/fit-width.js";
import { renderProgress } from "../../../cli/render/render-progress.js";
import { jobStatusFixture } from "../fixtures/job-status-fixture.js";

const MiB = 1024 * 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
const ANSI = /\x1b\[/;

const midway = jobStatusFixture({
  files: {
    scanned: { files: 2, bytes: 2 * MiB },
    hashed: { files: 1, bytes: MiB },
    planned: { files: 1, bytes: 4 * MiB },
    uploaded: { files: 2, bytes: 2 * MiB },
    committed: { files: 3, bytes: 3 * MiB },
    skipped: { files: 1, bytes: 0 },
    failed: { files: 1, bytes: 0 },
  },
  waiting: 2,
  commits: 4,
  rates: { uploadBytesPerSec: 10 * MiB, hashBytesPerSec: 300 * MiB },
  etaSeconds: 192,
  lastError: { code: "ERR_HUB_SERVER", message: "the Hub answered 503", at: "2026-01-01T00:00:00.000Z" },
});

t.test("not a TTY: one plain line per job, no colour even if asked, every stage counted", async (t) => {
  const { lines } = renderProgress([midway, jobStatusFixture({ id: 2, state: "paused" })], {
    tty: false,
    color: true,
    now: 1000,
  });
  t.equal(lines.length, 2);
  const [line] = lines;
  t.notMatch(line, ANSI);
  t.match(line, /^#1 alice\/model \(model@main\) active: /);
  // done = committed 3 + skipped 1; hashed counts every file past hashing (not scanned, not failed).
  t.match(line, "done 4/11 files (3.00 MiB/12.0 MiB)");
  t.match(line, "hashed 8,");
  t.match(line, "planned 7,");
  t.match(line, "uploaded 6,");
  t.match(line, "failed 1, waiting 2, commits 4");
  t.match(line, "upload 10.0 MiB/s, hash 300.0 MiB/s, ETA 3m 12s");
  t.match(line, "last error: the Hub answered 503 (ERR_HUB_SERVER)");
  t.match(lines[1], /^#2 .* paused: .*ETA -/);
});

t.test("TTY: bars per stage, colour only when enabled (NO_COLOR)", async (t) => {
  const coloured = renderProgress([midway], { tty: true, color: true, now: 0 }).lines;
  const plain = renderProgress([midway], { tty: true, color: false, now: 0 }).lines;
  t.match(coloured.join("\n"), ANSI);
  t.notMatch(plain.join("\n"), ANSI);
  t.equal(coloured.length, plain.length);
  const stageRows = plain.filter((l) => /^ {2}(hashed|planned|uploaded|done) /.test(l));
  t.equal(stageRows.length, 4);
  const done = stageRows.find((l) => l.trimStart().startsWith("done"));
  // 3 MiB of 12 MiB = 25 %: 5 of 20 cells filled.
  t.match(done, "█████░░░░░░░░░░░░░░░  25%  4/11 files  3.00 MiB/12.0 MiB");
  t.ok(plain.some((l) => l.includes("upload 10.0 MiB/s · hash 300.0 MiB/s · ETA 3m 12s")));
  t.ok(
    plain.some((l) => l.includes("committed 3 · skipped 1 · ignored 0 · failed 1 · waiting 2 · commits 4")),
  );
});

t.test("blocked jobs show the reason and no ETA", async (t) => {
  const blocked = jobStatusFixture({
    state: "blocked",
    blocked: { code: "ERR_HUB_UNAUTHORIZED", message: "the Hub refused the token: check HF_TOKEN" },
    lastError: {
      code: "ERR_HUB_UNAUTHORIZED",
      message: "the Hub refused the token: check HF_TOKEN",
      at: "2026-01-01T00:00:00.000Z",
    },
    etaSeconds: 10,
  });
  const tty = renderProgress([blocked], { tty: true, color: false, now: 0 }).lines.join("\n");
  t.match(tty, "blocked: the Hub refused the token: check HF_TOKEN (ERR_HUB_UNAUTHORIZED)");
  t.match(tty, "ETA -");
  // The same error is not repeated as "last error".
  t.notMatch(tty, "last error");
  const plain = renderProgress([blocked], { tty: false, color: false, now: 0 }).lines.join("\n");
  t.match(plain, "blocked: the Hub refused the token");
});

t.test("an active job with an unknown ETA says so", async (t) => {
  const line = renderProgress([jobStatusFixture({ etaSeconds: null })], { tty: false, color: false, now: 0 })
    .lines[0];
  t.match(line, "ETA unknown");
});

t.test("empty files only: progress counts files, not bytes", async (t) => {
  const empties = jobStatusFixture({
    files: { committed: { files: 1, bytes: 0 }, scanned: { files: 3, bytes: 0 } },
  });
  const done = renderProgress([empties], { tty: true, color: false, now: 0 }).lines.find((l) =>
    l.trimStart().startsWith("done"),
  );
  t.match(done, " 25%  1/4 files");
});

t.test("rates are smoothed across frames, from the previous state", async (t) => {
  const idle = jobStatusFixture({ rates: { uploadBytesPerSec: 0, hashBytesPerSec: 0 } });
  const busy = jobStatusFixture({ rates: { uploadBytesPerSec: 100 * MiB, hashBytesPerSec: 0 } });
  const first = renderProgress([idle], { tty: false, color: false, now: 0 });
  const second = renderProgress([busy], { tty: false, color: false, now: 1000 }, first.state);
  const shown = second.state.rates.get(1)?.upload ?? -1;
  t.ok(shown > 0 && shown < 100 * MiB, `smoothed rate ${shown} lies between the old and the new`);
  // Without a previous frame the reported rate is shown as is.
  t.equal(
    renderProgress([busy], { tty: false, color: false, now: 1000 }).state.rates.get(1)?.upload,
    100 * MiB,
  );
  // Long after, it has converged.
  const later = renderProgress([busy], { tty: false, color: false, now: 60_000 }, second.state);
  t.ok(Math.abs((later.state.rates.get(1)?.upload ?? 0) - 100 * MiB) < MiB);
});

t.test("TTY lines are cut to the terminal width so the redraw stays aligned", async (t) => {
  const long = jobStatusFixture({ folder: `/data/${"very-long-folder-name/".repeat(10)}` });
  const { lines } = renderProgress([long], { tty: true, color: true, now: 0, width: 40 });
  for (const line of lines) t.ok(visibleLength(line) <= 40, `"${line}" fits`);
  t.ok(lines[0]?.includes("…"));
});

t.test("no jobs", async (t) => {
  t.same(renderProgress([], { tty: false, color: false, now: 0 }).lines, ["no jobs"]);
});

t.test("a regular file counts as uploaded, with its bytes, only once its commit succeeded", async (t) => {
  // 3000 small regular files ready but not yet committed, one 120 MiB LFS file stored, one in flight.
  const job = jobStatusFixture({
    files: {
      planned: { files: 1, bytes: 120 * MiB },
      uploaded: { files: 3001, bytes: 120 * MiB + 3000 * 1024 },
      committed: { files: 2, bytes: 2048 },
    },
    awaitingCommit: { files: 3000, bytes: 3000 * 1024 },
  });
  const tty = renderProgress([job], { tty: true, color: false, now: 0 }).lines.join("\n");
  // uploaded = committed 2 + the stored LFS file: 3 files, 120 MiB + 2 KiB, of 3004 / 242.9 MiB.
  t.match(tty, /^ {2}uploaded .* 49% {2}3\/3004 files {2}120\.0 MiB\/242\.9 MiB$/m);
  t.match(tty, /^ {2}planned .*3004\/3004 files/m);
  t.match(tty, "committed 2 · awaiting commit 3000 · skipped 0");
  const plain = renderProgress([job], { tty: false, color: false, now: 0 }).lines[0];
  t.match(plain, "uploaded 3,");
});
