import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const WORKLOADS = [
  "hash",
  "emulator",
  "w1",
  "w2",
  "w3",
  "w4",
  "w5",
  "w6",
  "watch",
  "w8",
  "tree",
  "w7",
  "w2x",
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Everything a benchmark run needs, resolved once from the flags. Sizes default to the issue's. */
export interface BenchConfig {
  readonly workloads: readonly WorkloadName[];
  /** The built CLI every hubpush (and emulator) process runs (default dist/cli/main.js). */
  readonly cli: string;
  /**
   * An older build's CLI measured beside --cli in the same run (before/after figures): W4 runs it
   * on the same journal in every round, W1/W2 as a third side into a fresh emulator of its own.
   */
  readonly baselineCli: string | null;
  /** Parent of each workload's throwaway folder (default <repo>/.tmp-bench, git-ignored). */
  readonly tmpRoot: string;
  readonly keep: boolean;
  /** Run hubpush under --cpu-prof and print where its CPU time went. */
  readonly cpuProf: boolean;
  readonly quick: boolean;
  /** W1, W2: run the peer/hubpush pair this many times, alternating (default 1). */
  readonly repeat: number;
  /** W1: files of 1–16 KiB. */
  readonly w1Files: number;
  /** Files per `uploadFiles` call of the peer: one call opens every file at once when it commits. */
  readonly peerMaxFiles: number;
  /** W2: files of w2Mb MiB. */
  readonly w2Count: number;
  readonly w2Mb: number;
  /** W3: which sizes to kill (w1-like, w2-like). */
  readonly w3Sizes: readonly ("small" | "large")[];
  readonly w4Files: number;
  readonly w4Rounds: number;
  readonly w5Files: number;
  /** W5: after every file is hashed, keep running this long, then stop (SIGINT) unless done. */
  readonly w5AfterHashSeconds: number;
  /** W5: stop anyway after this long. */
  readonly w5MaxMinutes: number;
  readonly w6Files: number;
  readonly w6FaultRate: number;
  readonly w6Seed: number;
  /** W6: fault kinds injected, sharing the rate equally: 500, 503, 429, reset. */
  readonly w6Kinds: readonly string[];
  readonly hashMb: number;
  readonly emulatorMb: number;
  /** W8: the emulator's --link SPEC, the size of its W2 files and its count of 1–50 MiB files. */
  readonly w8Link: string;
  readonly w8Mb: number;
  readonly w8MixFiles: number;
  /** W8: which folders run: w2, mix (default both). */
  readonly w8Folders: readonly string[];
  /** hubpush's `--transfer` in W8 (default lfs: the protocol the peer uses, useXet false). */
  readonly w8Transfer: "auto" | "xet" | "lfs";
  /** W8: which clients run: hubpush, peer (@huggingface/hub), python (default all three). */
  readonly w8Clients: readonly string[];
  /** tree: the real tree copied and uploaded for its peak RSS (default /usr/share). */
  readonly treeSrc: string;
  /** W7: size of the structured file, MiB. */
  readonly w7Mb: number;
  /**
   * W2x: HUBPUSH_TUNING (JSON engine knobs, e.g. `{"xetXorbBytes":8388608}`) given to both sides'
   * `hubpush upload`; null: the defaults (the bench clears HUBPUSH_TUNING from its own environment).
   */
  readonly w2xTuning: string | null;
}

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const USAGE = `usage: node --import tsx bench/run.ts [--workload all|hash,emulator,w1,…,w6,watch,w8] [--quick]
  [--cli dist/cli/main.js] [--baseline-cli OLD/dist/cli/main.js] [--tmp DIR] [--keep] [--cpu-prof] [--repeat N]
  [--files N] [--peer-max-files N] [--w2-count N] [--w2-mb MB] [--w3-sizes small,large]
  [--w4-files N] [--w4-rounds N] [--w5-files N] [--w5-after-hash-s S] [--w5-max-minutes M]
  [--w6-files N] [--w6-fault-rate R] [--w6-seed N] [--w6-kinds 500,503,429,reset] [--hash-mb MB] [--emulator-mb MB]
  [--w8-link rtt=40,conn=20M,total=100M] [--w8-mb MB] [--w8-mix-files N] [--w8-transfer lfs|auto|xet] [--w8-clients peer,python,hubpush] [--tree-src /usr/share] [--w7-mb MB]
w2x: W2 (same size flags) with --transfer lfs vs --transfer xet, --w2-count × --w2-mb, --repeat rounds,
  [--w2x-tuning JSON] engine knobs (HUBPUSH_TUNING) for both sides, e.g. '{"xetXorbBytes":8388608}'
--quick shrinks every default size (minutes instead of hours); explicit size flags still win.`;

function num(raw: string | undefined, fallback: number, flag: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new Error(`--${flag} must be a number ≥ 0, got "${raw}"\n${USAGE}`);
  }
  return value;
}

/** The resolved config, or null when --help was asked for (the usage is printed). */
export function parseBenchConfig(argv: readonly string[]): BenchConfig | null {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      workload: { type: "string", default: "all" },
      quick: { type: "boolean", default: false },
      repeat: { type: "string" },
      cli: { type: "string" },
      "baseline-cli": { type: "string" },
      tmp: { type: "string" },
      keep: { type: "boolean", default: false },
      "cpu-prof": { type: "boolean", default: false },
      files: { type: "string" },
      "peer-max-files": { type: "string" },
      "w2-count": { type: "string" },
      "w2-mb": { type: "string" },
      "w3-sizes": { type: "string" },
      "w4-files": { type: "string" },
      "w4-rounds": { type: "string" },
      "w5-files": { type: "string" },
      "w5-after-hash-s": { type: "string" },
      "w5-max-minutes": { type: "string" },
      "w6-files": { type: "string" },
      "w6-fault-rate": { type: "string" },
      "w6-seed": { type: "string" },
      "w6-kinds": { type: "string" },
      "hash-mb": { type: "string" },
      "emulator-mb": { type: "string" },
      "w8-link": { type: "string" },
      "w8-mb": { type: "string" },
      "w8-mix-files": { type: "string" },
      "w8-folders": { type: "string" },
      "w8-transfer": { type: "string" },
      "w8-clients": { type: "string" },
      "tree-src": { type: "string" },
      "w7-mb": { type: "string" },
      "w2x-tuning": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return null;
  }
  const wanted = (values.workload ?? "all").split(",").map((w) => w.trim().toLowerCase());
  const workloads = wanted.includes("all") ? [...WORKLOADS] : wanted;
  for (const w of workloads) {
    if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`unknown workload "${w}"\n${USAGE}`);
  }
  const q = values.quick === true;
  const cli = path.resolve(values.cli ?? path.join(REPO_ROOT, "dist/cli/main.js"));
  if (!existsSync(cli)) throw new Error(`no built CLI at ${cli}: run \`npm run build\` first`);
  const sizes = (values["w3-sizes"] ?? "small,large").split(",").map((s) => s.trim());
  for (const s of sizes) if (s !== "small" && s !== "large") throw new Error(`--w3-sizes: unknown "${s}"`);
  const baselineCli = values["baseline-cli"] === undefined ? null : path.resolve(values["baseline-cli"]);
  if (baselineCli !== null && !existsSync(baselineCli)) throw new Error(`no built CLI at ${baselineCli}`);
  return {
    workloads: workloads as WorkloadName[],
    cli,
    baselineCli,
    tmpRoot: path.resolve(values.tmp ?? path.join(REPO_ROOT, ".tmp-bench")),
    keep: values.keep === true,
    cpuProf: values["cpu-prof"] === true,
    quick: q,
    repeat: Math.max(1, Math.floor(num(values.repeat, 1, "repeat"))),
    w1Files: num(values.files, q ? 2_000 : 50_000, "files"),
    peerMaxFiles: num(values["peer-max-files"], 15_000, "peer-max-files"),
    w2Count: num(values["w2-count"], 4, "w2-count"),
    w2Mb: num(values["w2-mb"], q ? 96 : 1024, "w2-mb"),
    w3Sizes: sizes as ("small" | "large")[],
    w4Files: num(values["w4-files"], q ? 5_000 : 100_000, "w4-files"),
    w4Rounds: Math.max(1, num(values["w4-rounds"], q ? 1 : 3, "w4-rounds")),
    w5Files: num(values["w5-files"], q ? 20_000 : 1_000_000, "w5-files"),
    w5AfterHashSeconds: num(values["w5-after-hash-s"], q ? 5 : 60, "w5-after-hash-s"),
    w5MaxMinutes: num(values["w5-max-minutes"], q ? 5 : 45, "w5-max-minutes"),
    w6Files: num(values["w6-files"], q ? 1_000 : 10_000, "w6-files"),
    w6FaultRate: num(values["w6-fault-rate"], 0.05, "w6-fault-rate"),
    w6Seed: num(values["w6-seed"], 7, "w6-seed"),
    w6Kinds: (values["w6-kinds"] ?? "500,503,429,reset").split(",").map((k) => k.trim()),
    hashMb: num(values["hash-mb"], q ? 256 : 2048, "hash-mb"),
    emulatorMb: num(values["emulator-mb"], q ? 128 : 1024, "emulator-mb"),
    w8Link: values["w8-link"] ?? "rtt=40,conn=20M,total=100M",
    w8Mb: num(values["w8-mb"], q ? 128 : 1024, "w8-mb"),
    w8MixFiles: num(values["w8-mix-files"], q ? 20 : 200, "w8-mix-files"),
    w8Folders: (values["w8-folders"] ?? "w2,mix").split(",").map((f) => f.trim()),
    w8Transfer: transferMode(values["w8-transfer"] ?? "lfs"),
    w8Clients: (values["w8-clients"] ?? "peer,python,hubpush").split(",").map((c) => c.trim()),
    treeSrc: path.resolve(values["tree-src"] ?? "/usr/share"),
    w7Mb: num(values["w7-mb"], q ? 128 : 1024, "w7-mb"),
    w2xTuning: tuningJson(values["w2x-tuning"]),
  };
}

/** --w2x-tuning: a JSON object (the CLI checks the knobs themselves and stops on a bad one). */
function tuningJson(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(
      `--w2x-tuning takes a JSON object of engine knobs, e.g. '{"xetXorbBytes":8388608}'; got ${raw}`,
    );
  return raw;
}

function transferMode(raw: string): "auto" | "xet" | "lfs" {
  if (raw === "auto" || raw === "xet" || raw === "lfs") return raw;
  throw new Error(`--w8-transfer takes auto, xet or lfs; got "${raw}"`);
}
