import type { AccessTally } from "./access-tally.js";
import type { ChaosScale } from "./chaos-plan.js";
import type { Check } from "./check.js";
import type { JournalVerdict } from "./journal-audit.js";

export interface ChaosReport {
  readonly seed: number;
  readonly scale: ChaosScale;
  readonly transfer: "xet" | "lfs";
  /** SIGKILLs delivered to a live daemon (not merely planned). */
  readonly kills: number;
  readonly plannedKills: number;
  /** What the job was doing when each SIGKILL landed (from GET /v1/jobs/get just before). */
  readonly killsByPhase: Readonly<Record<string, number>>;
  readonly launches: { readonly start: number; readonly run: number };
  readonly modifications: { readonly inPlace: number; readonly atomic: number; readonly files: number };
  readonly durationMs: number;
  readonly chaosMs: number;
  /** From the last start (no more kills, faults still on) to the job being done. */
  readonly finishMs: number;
  readonly access: AccessTally;
  readonly commits: {
    readonly remote: number;
    readonly answered: number;
    readonly reconciled: number;
    readonly batches: Readonly<Record<string, number>>;
  };
  readonly hashing: JournalVerdict["hashing"];
  readonly daemonErrors: Readonly<Record<string, number>>;
  /** HUBPUSH_TUNING given to the daemons (null: their defaults). */
  readonly tuning: string | null;
  readonly checks: readonly Check[];
  /** The run's folder, when kept for inspection. */
  readonly kept: string | null;
}

const MiB = 1024 * 1024;

function list(record: Readonly<Record<string, number>>): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "none" : entries.map(([k, v]) => `${k} ${v}`).join(", ");
}

/** The report as the script prints it and the test comments it. */
export function formatReport(r: ChaosReport): string {
  const failed = r.checks.filter((c) => !c.ok);
  const h = r.hashing;
  return [
    `chaos seed ${r.seed} (${r.scale}, --transfer ${r.transfer}): ${failed.length === 0 ? "PASS" : `FAIL (${failed.length} checks)`}`,
    `  replay: HUBPUSH_CHAOS_SEED=${r.seed}, or npm run chaos -- --seed ${r.seed} --kills ${r.plannedKills} --transfer ${r.transfer}${r.scale === "short" ? " --short" : ""}`,
    `  duration ${(r.durationMs / 1000).toFixed(1)} s (chaos ${(r.chaosMs / 1000).toFixed(1)} s, finish after last kill ${(r.finishMs / 1000).toFixed(1)} s)`,
    `  kills ${r.kills} delivered of ${r.plannedKills} planned (${list(r.killsByPhase)}); launches: daemon start ${r.launches.start}, daemon run ${r.launches.run}`,
    `  modifications ${r.modifications.inPlace + r.modifications.atomic} of ${r.modifications.files} files (in place ${r.modifications.inPlace}, renamed over ${r.modifications.atomic})`,
    `  emulator: ${r.access.requests} requests, faults ${list(r.access.faults)}`,
    `    by route: ${list(r.access.faultsByRoute)}`,
    `    commit answers lost ${r.access.commitsLost}; multipart parts stored more than once ${r.access.partsResent}`,
    `    LFS PUTs and parts stored ${r.access.lfsUploads}; xorbs stored ${r.access.xorbsStored} (${r.access.xorbsResent} more than once); shards answered ${r.access.shardsAnswered}`,
    `  commits on main ${r.commits.remote}; journal batches ${list(r.commits.batches)}`,
    `  hashed ${(h.bytesHashed / MiB).toFixed(2)} MiB for a ${(h.folderBytes / MiB).toFixed(2)} MiB folder (+${((h.bytesHashed - h.folderBytes) / MiB).toFixed(2)} MiB); re-hashes of unmodified files ${h.rehashedUnmodified}; modified files: ${h.modifiedHashes} hashes for ${h.modifiedVersions} versions`,
    `  daemon log errors: ${list(r.daemonErrors)}`,
    `  tuning: ${r.tuning ?? "daemon defaults"}`,
    ...r.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.name}${c.detail === "" ? "" : ` — ${c.detail}`}`),
    ...(r.kept === null ? [] : [`  kept: ${r.kept}`]),
  ].join("\n");
}
