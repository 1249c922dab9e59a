/**
 * `hubpush upload` as a person sees it: the command runs in a real 120×30 tmux pane and the test
 * reads the screen with `tmux capture-pane` while it runs. Checks that exactly one progress frame
 * is on screen at every moment (a warning on stderr mid-run included), and that every stage counts
 * files and bytes by the same rule: a regular file counts as uploaded when the commit carrying it
 * succeeded, an LFS file when the Hub stored its object (docs/cli.md).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { CLI_ENTRY, REPO_ROOT } from "../helpers/run-cli.js";

const TOKEN = "hf_term_write";
const KiB = 1024;
const MiB = 1024 * KiB;
const REGULAR_FILES = 1500;
const REGULAR_SIZE = 1000;
const LFS_FILES = 4;
const LFS_SIZE = MiB;

function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (!hasTmux()) {
  t.fail("tmux is needed for this test: `apt-get install tmux` (.ci/run installs it when missing)");
  process.exit(1);
}

const root = mkdtempSync(path.join(tmpdir(), "hubpush-term-"));
// A tmux server of its own (-L), so the test never touches a user's sessions; killed at the end.
const socket = `hubpush-term-${process.pid}`;
const tmux = (...args: string[]): string =>
  execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
t.teardown(() => {
  try {
    tmux("kill-server");
  } catch {
    // already gone
  }
  rmSync(root, { recursive: true, force: true });
});

// Commits and LFS uploads are slowed so the run lasts several seconds with regular files waiting
// for their commit while LFS objects are still on their way.
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`],
  lfsThresholdBytes: 64 * KiB,
  dataDir: path.join(root, "hub"),
  faults: "route=commit,kind=latency,ms=700;route=lfs-put,kind=latency,ms=2500",
});
t.teardown(() => emulator.close());

const folder = path.join(root, "data");
const files: Record<string, string | Buffer> = {};
for (let i = 0; i < REGULAR_FILES; i++) {
  const name = `rows/part-${String(i % 20).padStart(2, "0")}/row-${String(i).padStart(5, "0")}.txt`;
  files[name] = `${String(i).padStart(REGULAR_SIZE - 1, "r")}\n`;
}
for (let i = 0; i < LFS_FILES; i++) files[`weights/shard-${i}.bin`] = randomBytes(LFS_SIZE);
writeTree(folder, files);

// Something else writes to stderr mid-run, as a Node warning does: 170 characters, three rows.
const warn = path.join(root, "warn.mjs");
writeFileSync(
  warn,
  `setTimeout(() => process.emitWarning("Possible EventTarget memory leak detected. 11 abort listeners added to [AbortSignal]. MaxListeners is 10. Use events.setMaxListeners()", "TestWarning"), 1500).unref();\n`,
);

const UNITS: Record<string, number> = { B: 1, KiB, MiB, GiB: 1024 * MiB };
const bytesOf = (text: string): number => {
  const [value, unit] = text.split(" ");
  return Number(value) * (UNITS[unit ?? "B"] ?? Number.NaN);
};

interface Row {
  readonly files: number;
  readonly bytes: number;
  readonly total: number;
}

/** A stage row: "  uploaded  ████░░  42%  12/1504 files  1.2 MiB/5.4 MiB". */
function row(screen: string, label: string): Row | null {
  const m = new RegExp(
    `^ {2}${label} .*?(\\d+)/(\\d+) files {2}([\\d.]+ \\S+)/([\\d.]+ \\S+)\\s*$`,
    "m",
  ).exec(screen);
  if (m === null) return null;
  return { files: Number(m[1]), total: Number(m[2]), bytes: bytesOf(m[3] ?? "") };
}

/** How many LFS files (1 MiB each) a row's bytes hold next to its 1000-byte regular files. */
function lfsIn(r: Row): number {
  return Math.round((r.bytes - r.files * REGULAR_SIZE) / (LFS_SIZE - REGULAR_SIZE));
}

t.test("one progress frame on screen, and files and bytes counted by the same rule", async (t) => {
  const env = [
    `HUBPUSH_HOME=${path.join(root, "home")}`,
    `HF_HOME=${path.join(root, "hf-empty")}`,
    `HF_TOKEN=${TOKEN}`,
    `NODE_OPTIONS=--import=${warn}`,
    "NO_COLOR=1",
  ];
  const command = [
    "env",
    ...env,
    process.execPath,
    "--import",
    "tsx",
    CLI_ENTRY,
    "upload",
    folder,
    "--repo",
    "user/term-view",
    "--endpoint",
    emulator.url,
    "--progress-interval",
    "100",
  ]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
  tmux(
    "new-session",
    "-d",
    "-x",
    "120",
    "-y",
    "30",
    "-c",
    REPO_ROOT,
    `${command}; echo "EXIT $?"; sleep 600`,
  );
  const samples: string[] = [];
  const deadline = Date.now() + 120_000;
  let screen = "";
  while (Date.now() < deadline) {
    screen = tmux("capture-pane", "-p");
    samples.push(screen);
    if (/^EXIT \d+/m.test(screen)) break;
    await sleep(200);
  }
  t.match(screen, /^EXIT 0$/m, "the upload finished", { screen });

  let midRun = 0;
  for (const [i, s] of samples.entries()) {
    const frames = s.split("\n").filter((l) => l.startsWith("#1 ")).length;
    if (frames === 0) continue;
    if (frames !== 1) {
      t.fail(`sample ${i} shows ${frames} progress frames`, { screen: s });
      continue;
    }
    const uploaded = row(s, "uploaded");
    const done = row(s, "done");
    if (uploaded === null || done === null) continue;
    // Both rows count LFS files with their 1 MiB and regular files with their 1000 bytes...
    for (const [name, r] of [
      ["uploaded", uploaded],
      ["done", done],
    ] as const) {
      const lfs = lfsIn(r);
      const expected = (r.files - lfs) * REGULAR_SIZE + lfs * LFS_SIZE;
      t.ok(
        lfs >= 0 && lfs <= LFS_FILES && Math.abs(r.bytes - expected) <= Math.max(0.006 * expected, 1024),
        `sample ${i}: the ${name} row's files and bytes count the same files`,
        { row: r, lfs },
      );
    }
    // ...and a regular file counts as uploaded only once its commit went through.
    const regularUploaded = uploaded.files - lfsIn(uploaded);
    const regularDone = done.files - lfsIn(done);
    if (regularUploaded !== regularDone) {
      t.fail(`sample ${i}: ${regularUploaded} regular files counted uploaded but ${regularDone} committed`, {
        screen: s,
      });
    }
    if (/ active /.test(s) && uploaded.files < uploaded.total) midRun += 1;
  }
  t.ok(midRun >= 3, `several mid-run samples were read (${midRun})`);

  const end = screen;
  t.equal(end.split("\n").filter((l) => l.startsWith("#1 ")).length, 1, "one frame at the end");
  t.match(end, /TestWarning: Possible EventTarget/, "the warning stays readable, above the frame");
  for (const label of ["hashed", "planned", "uploaded", "done"]) {
    const r = row(end, label);
    t.ok(r !== null, `the ${label} row is on screen at the end`);
    if (r === null) continue;
    t.equal(r.files, REGULAR_FILES + LFS_FILES, `${label}: every file`);
    t.match(end, new RegExp(`^ {2}${label} .* 100% `, "m"), `${label}: 100 %`);
  }
});
