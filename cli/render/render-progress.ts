import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { fitWidth } from "./fit-width.js";
import { formatBytes, formatRate } from "./format-bytes.js";
import { formatDuration } from "./format-duration.js";
import { prAndDeletionLines } from "./pr-and-deletions.js";
import { createStyle, type Style } from "./style.js";
import { watchLines } from "./watch-line.js";
import { xetLines } from "./xet-line.js";

export interface RenderOptions {
  /** Multi-line view with bars (redrawn in place); false: one plain line per job. */
  readonly tty: boolean;
  /** ANSI colours (only ever on a TTY without NO_COLOR). */
  readonly color: boolean;
  /** Epoch ms of this frame, for rate smoothing. */
  readonly now: number;
  /** Terminal columns; lines are cut to fit so the redraw stays aligned. 0 = no limit. */
  readonly width?: number;
}

/** What a frame remembers for the next: displayed rates per job, smoothed over frames. */
export interface RenderState {
  readonly at: number;
  readonly rates: ReadonlyMap<number, { readonly upload: number; readonly hash: number }>;
}

export interface RenderResult {
  readonly lines: string[];
  readonly state: RenderState;
}

type Count = { readonly files: number; readonly bytes: number };

/** Seconds over which displayed rates converge to the reported ones (keeps the numbers readable). */
const SMOOTHING_SECONDS = 3;
const BAR_WIDTH = 20;

function sum(...counts: Count[]): Count {
  return counts.reduce((a, c) => ({ files: a.files + c.files, bytes: a.bytes + c.bytes }), {
    files: 0,
    bytes: 0,
  });
}

function minus(a: Count, b: Count): Count {
  return { files: Math.max(0, a.files - b.files), bytes: Math.max(0, a.bytes - b.bytes) };
}

/**
 * Files that got past each stage, files and bytes by one rule (docs/cli.md): a file counts, with its
 * bytes, once that stage is behind it. Uploaded means its bytes have left: an LFS file when the Hub
 * stored its object, a regular (inline) file when the commit carrying it succeeded, since its bytes
 * travel in that commit. Terminal successes count as past every stage.
 */
function stages(job: JobStatusJson): { hashed: Count; planned: Count; uploaded: Count; done: Count } {
  const f = job.files;
  const done = sum(f.committed, f.skipped, f.ignored);
  const ready = sum(f.uploaded, f.committing);
  const uploaded = sum(done, minus(ready, job.awaitingCommit));
  const planned = sum(done, ready, f.planned);
  const hashed = sum(planned, f.hashed);
  return { hashed, planned, uploaded, done };
}

function smooth(previous: number | undefined, reported: number, dtSeconds: number): number {
  if (previous === undefined || dtSeconds <= 0) return reported;
  const alpha = 1 - Math.exp(-dtSeconds / SMOOTHING_SECONDS);
  const value = previous + alpha * (reported - previous);
  // Snap tiny leftovers to 0 so an idle job reads "0 B/s", not "3 B/s" forever.
  return reported === 0 && value < 1 ? 0 : value;
}

function bar(fraction: number, style: Style): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return style.green("█".repeat(filled)) + style.dim("░".repeat(BAR_WIDTH - filled));
}

function fraction(part: number, whole: number): number {
  return whole <= 0 ? 1 : part / whole;
}

function stateLabel(job: JobStatusJson, style: Style): string {
  switch (job.state) {
    case "done":
      return job.files.failed.files > 0 ? style.yellow("done (with failures)") : style.green("done");
    case "blocked":
    case "cancelled":
      return style.red(job.state);
    case "paused":
      return style.yellow(job.state);
    default:
      return style.cyan(job.state);
  }
}

function repoLabel(job: JobStatusJson): string {
  const where = job.repo.pathInRepo === "" ? "" : `/${job.repo.pathInRepo}`;
  const moved = job.repo.movedTo === null ? "" : ` — moved to ${job.repo.movedTo}`;
  return `${job.repo.id}${where} (${job.repo.type}@${job.repo.revision})${moved}`;
}

function countsLine(job: JobStatusJson, style: Style): string {
  const f = job.files;
  const failed = `failed ${f.failed.files}`;
  const waiting = `waiting ${job.waiting}`;
  return [
    `committed ${f.committed.files}`,
    ...(job.awaitingCommit.files > 0 ? [`awaiting commit ${job.awaitingCommit.files}`] : []),
    `skipped ${f.skipped.files}`,
    `ignored ${f.ignored.files}`,
    f.failed.files > 0 ? style.red(failed) : failed,
    ...(f.vanished.files > 0 ? [`vanished ${f.vanished.files}`] : []),
    job.waiting > 0 ? style.yellow(waiting) : waiting,
    `commits ${job.commits}`,
  ].join(" · ");
}

/** Failed files named on screen; `status --json` lists up to 20, the count says how many in all. */
const FAILURES_PRINTED = 5;

function problemLines(job: JobStatusJson, style: Style): string[] {
  const lines: string[] = [];
  for (const f of job.failures.slice(0, FAILURES_PRINTED))
    lines.push(style.red(`failed: ${f.path}: ${f.message} (${f.code})`));
  const unnamed = job.files.failed.files - Math.min(job.failures.length, FAILURES_PRINTED);
  if (job.failures.length > 0 && unnamed > 0)
    lines.push(
      style.red(
        `… and ${unnamed} more failed (\`hubpush status ${job.id} --json\` lists ${job.failures.length})`,
      ),
    );
  if (job.blocked !== null) lines.push(style.red(`blocked: ${job.blocked.message} (${job.blocked.code})`));
  if (job.lastError !== null && job.lastError.message !== job.blocked?.message) {
    lines.push(style.yellow(`last error: ${job.lastError.message} (${job.lastError.code})`));
  }
  return lines;
}

function detailLines(
  job: JobStatusJson,
  rate: { upload: number; hash: number },
  style: Style,
  now: number,
): string[] {
  const s = stages(job);
  const total = job.total;
  const row = (label: string, c: Count): string => {
    // By bytes, except when every file is empty (then by files).
    const part = total.bytes > 0 ? fraction(c.bytes, total.bytes) : fraction(c.files, total.files);
    const percent = String(Math.floor(Math.min(1, part) * 100)).padStart(3);
    return `  ${label.padEnd(9)} ${bar(part, style)} ${percent}%  ${c.files}/${total.files} files  ${formatBytes(c.bytes)}/${formatBytes(total.bytes)}`;
  };
  const active = job.state === "active";
  return [
    `${style.bold(`#${job.id}`)} ${repoLabel(job)} ${stateLabel(job, style)} ${style.dim(job.folder)}`,
    row("hashed", s.hashed),
    row("planned", s.planned),
    row("uploaded", s.uploaded),
    row("done", s.done),
    `  ${countsLine(job, style)}`,
    `  upload ${formatRate(rate.upload)} · hash ${formatRate(rate.hash)} · ETA ${
      active ? formatDuration(job.etaSeconds) : "-"
    }`,
    ...watchLines(job, now, style).map((l) => `  ${l}`),
    ...prAndDeletionLines(job).map((l) => `  ${l}`),
    ...xetLines(job, style).map((l) => `  ${l}`),
    ...problemLines(job, style).map((l) => `  ${l}`),
  ];
}

function plainLine(job: JobStatusJson, rate: { upload: number; hash: number }, now: number): string {
  const s = stages(job);
  const f = job.files;
  const parts = [
    `done ${s.done.files}/${job.total.files} files (${formatBytes(s.done.bytes)}/${formatBytes(job.total.bytes)})`,
    `hashed ${s.hashed.files}`,
    `planned ${s.planned.files}`,
    `uploaded ${s.uploaded.files}`,
    `committed ${f.committed.files}`,
    `skipped ${f.skipped.files}`,
    `ignored ${f.ignored.files}`,
    `failed ${f.failed.files}`,
    `waiting ${job.waiting}`,
    `commits ${job.commits}`,
    `upload ${formatRate(rate.upload)}`,
    `hash ${formatRate(rate.hash)}`,
    `ETA ${job.state === "active" ? formatDuration(job.etaSeconds) : "-"}`,
  ];
  const problems = [
    ...watchLines(job, now, createStyle(false)),
    ...prAndDeletionLines(job),
    ...problemLines(job, createStyle(false)),
  ];
  return `#${job.id} ${repoLabel(job)} ${job.state}: ${parts.join(", ")}${
    problems.length > 0 ? `; ${problems.join("; ")}` : ""
  }`;
}

/**
 * One frame of progress for `upload` and `status`: a pure function of the jobs' status, the
 * previous frame's state and the clock.
 */
export function renderProgress(
  jobs: readonly JobStatusJson[],
  options: RenderOptions,
  previous?: RenderState,
): RenderResult {
  const style = createStyle(options.tty && options.color);
  const dt = previous === undefined ? 0 : (options.now - previous.at) / 1000;
  const rates = new Map<number, { upload: number; hash: number }>();
  const lines: string[] = [];
  for (const job of jobs) {
    const before = previous?.rates.get(job.id);
    const rate = {
      upload: smooth(before?.upload, job.rates.uploadBytesPerSec, dt),
      hash: smooth(before?.hash, job.rates.hashBytesPerSec, dt),
    };
    rates.set(job.id, rate);
    if (options.tty) lines.push(...detailLines(job, rate, style, options.now));
    else lines.push(plainLine(job, rate, options.now));
  }
  if (jobs.length === 0) lines.push("no jobs");
  const width = options.width ?? 0;
  return {
    lines: options.tty && width > 0 ? lines.map((l) => fitWidth(l, width)) : lines,
    state: { at: options.now, rates },
  };
}
