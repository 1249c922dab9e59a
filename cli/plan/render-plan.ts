import type { PlanCount, PlanResult } from "../../core/plan/run-plan.js";
import { formatBytes } from "../render/format-bytes.js";
import { formatDuration } from "../render/format-duration.js";
import type { ResolvedTarget } from "../verify/target-flags.js";

/** `plan --json` (docs/cli.md): a stable shape; `version` changes only on a breaking change. */
export interface PlanJson {
  readonly version: 1;
  readonly local: string;
  readonly repo: { readonly type: string; readonly id: string };
  readonly revision: string;
  readonly pathInRepo: string;
  readonly remote: PlanResult["remote"];
  readonly modesFrom: PlanResult["modesFrom"];
  readonly files: {
    readonly local: PlanCount;
    readonly excluded: PlanCount;
    readonly regular: PlanCount;
    readonly lfs: PlanCount;
    readonly upload: PlanCount;
    readonly alreadyOnHub: PlanCount;
    readonly ignored: PlanCount;
  };
  readonly ignoredPaths: readonly string[];
  readonly notUploadable: PlanResult["notUploadable"];
  readonly deletions: { readonly patterns: readonly string[]; readonly paths: readonly string[] };
  readonly commits: number;
  readonly rateBytesPerSec: number | null;
  readonly estimatedSeconds: number | null;
  readonly warnings: PlanResult["warnings"];
  readonly bytesHashed: number;
  readonly filesFromJournal: number;
}

export function planJson(
  target: ResolvedTarget,
  result: PlanResult,
  deletePatterns: readonly string[],
  rate: number | null,
): PlanJson {
  return {
    version: 1,
    local: target.given,
    repo: { type: target.repo.type, id: target.repo.id },
    revision: target.revision,
    pathInRepo: target.pathInRepo,
    remote: result.remote,
    modesFrom: result.modesFrom,
    files: {
      local: result.local,
      excluded: result.excluded,
      regular: result.upload.regular,
      lfs: result.upload.lfs,
      upload: result.upload.total,
      alreadyOnHub: result.alreadyOnHub,
      ignored: { files: result.ignored.files, bytes: result.ignored.bytes },
    },
    ignoredPaths: result.ignored.paths,
    notUploadable: result.notUploadable,
    deletions: { patterns: deletePatterns, paths: result.deletions },
    commits: result.commits,
    rateBytesPerSec: rate,
    estimatedSeconds: result.estimatedSeconds,
    warnings: result.warnings,
    bytesHashed: result.bytesHashed,
    filesFromJournal: result.filesFromJournal,
  };
}

const n = (c: PlanCount): string => `${c.files} file${c.files === 1 ? "" : "s"} (${formatBytes(c.bytes)})`;

/** The text report: what the upload would do, then warnings. */
export function renderPlan(
  target: ResolvedTarget,
  result: PlanResult,
  deletePatterns: readonly string[],
): string[] {
  const where = `${target.repo.id} (${target.repo.type}@${target.revision})${target.pathInRepo === "" ? "" : `/${target.pathInRepo}`}`;
  const r = result.remote;
  const state = !r.repoExists
    ? "the repo does not exist yet: the upload creates it; modes from the Hub's rules, applied locally"
    : !r.branchExists
      ? `the branch does not exist yet: the upload creates it from ${r.baseRevision} (${r.remoteFiles} files)`
      : `${r.remoteFiles} files on the Hub now`;
  const lines = [
    `plan: ${target.given} → ${where} (dry run: nothing is uploaded or committed)`,
    `  ${state}`,
    `  local files:        ${n(result.local)}; excluded locally ${n(result.excluded)}`,
    `  to upload:          ${n(result.upload.total)}: regular ${n(result.upload.regular)}, LFS ${n(result.upload.lfs)}`,
    `  already on the Hub: ${n(result.alreadyOnHub)} (skipped)`,
    `  ignored by the Hub: ${n(result.ignored)}`,
  ];
  for (const p of result.ignored.paths.slice(0, 20)) lines.push(`    ignored  ${p}`);
  for (const p of result.notUploadable)
    lines.push(`  not uploadable:     ${p.path} (${p.code}: ${p.message})`);
  if (deletePatterns.length > 0) {
    lines.push(
      `  --delete ${deletePatterns.join(" ")}: ${result.deletions.length === 0 ? "no remote file matches" : `${result.deletions.length} remote files deleted`}`,
    );
    for (const p of result.deletions) lines.push(`    delete   ${p}`);
  }
  lines.push(`  commits:            ${result.commits}`);
  if (result.estimatedSeconds !== null) {
    lines.push(`  time at the rate:   ${formatDuration(result.estimatedSeconds)} (uploads only)`);
  }
  lines.push(`  hashed ${result.bytesHashed} bytes; ${result.filesFromJournal} files from the journal`);
  return lines;
}
