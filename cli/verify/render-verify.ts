import type { VerifyResult } from "../../core/verify/run-verify.js";
import { formatBytes } from "../render/format-bytes.js";
import type { ResolvedTarget } from "./target-flags.js";

/** `verify --json` (docs/cli.md): a stable shape; lists sorted by path; `version` bumps on a breaking change. */
export interface VerifyJson {
  readonly version: 1;
  readonly ok: boolean;
  readonly local: string;
  readonly repo: { readonly type: string; readonly id: string };
  readonly revision: string;
  readonly pathInRepo: string;
  readonly summary: VerifyResult["summary"];
  readonly identical: readonly string[];
  readonly different: VerifyResult["different"];
  readonly missingRemotely: readonly string[];
  readonly onlyRemote: readonly string[];
  readonly unreadable: VerifyResult["unreadable"];
}

export function verifyJson(target: ResolvedTarget, result: VerifyResult): VerifyJson {
  return {
    version: 1,
    ok: result.ok,
    local: target.given,
    repo: { type: target.repo.type, id: target.repo.id },
    revision: target.revision,
    pathInRepo: target.pathInRepo,
    summary: result.summary,
    identical: result.identical,
    different: result.different,
    missingRemotely: result.missingRemotely,
    onlyRemote: result.onlyRemote,
    unreadable: result.unreadable,
  };
}

const short = (oid: string | null): string => (oid === null ? "none" : oid.slice(0, 12));

/** The text report: one line per file that is not identical, then the summary. */
export function renderVerify(target: ResolvedTarget, result: VerifyResult): string[] {
  const lines: string[] = [];
  for (const d of result.different) {
    const what = d.remoteMode === "lfs" ? "sha256" : "git blob sha1";
    lines.push(
      `different         ${d.path}  (${d.remoteMode} on the Hub: ${what} local ${short(d.local.oid)} remote ${short(d.remote.oid)}; size local ${d.local.size} remote ${d.remote.size})`,
    );
  }
  for (const p of result.missingRemotely) lines.push(`missing remotely  ${p}`);
  for (const p of result.onlyRemote) lines.push(`only remote       ${p}`);
  for (const u of result.unreadable) lines.push(`not compared      ${u.path}  (${u.code}: ${u.message})`);
  const s = result.summary;
  const where = `${target.repo.id} (${target.repo.type}@${target.revision})${target.pathInRepo === "" ? "" : `/${target.pathInRepo}`}`;
  lines.push(
    `${result.ok ? "identical" : "differences found"}: ${target.given} ↔ ${where}`,
    `  ${s.localFiles} local files (${formatBytes(s.localBytes)}), ${s.remoteFiles} remote: identical ${s.identical}, different ${s.different}, missing remotely ${s.missingRemotely}, only remote ${s.onlyRemote}${s.unreadable > 0 ? `, not compared ${s.unreadable}` : ""}`,
    `  hashed ${s.filesHashed} files (${s.bytesHashed} bytes); ${s.filesFromJournal} from the journal`,
  );
  return lines;
}
