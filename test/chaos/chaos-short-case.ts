import t from "tap";
import { formatReport } from "./chaos-report.js";
import { runChaos } from "./chaos-run.js";

/**
 * The short chaos run as a tap test, for one transfer (chaos-short.test.ts: Xet, chaos-short-lfs.test.ts:
 * LFS; two files so that tap runs them side by side, each within its own time limit). A fresh seed
 * per run explores new schedules; HUBPUSH_CHAOS_SEED replays one.
 */
export function chaosShortTest(transfer: "xet" | "lfs", file: string): void {
  const seed = Number(process.env.HUBPUSH_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const kills = Number(process.env.HUBPUSH_CHAOS_KILLS ?? 10);
  t.test(
    `--transfer ${transfer}: daemon SIGKILLed at random moments, files rewritten, faults injected: nothing lost or corrupted`,
    async (t) => {
      t.comment(`chaos seed ${seed} (replay: HUBPUSH_CHAOS_SEED=${seed} npx tap ${file})`);
      const report = await runChaos({ seed, kills, scale: "short", transfer });
      t.comment(formatReport(report));
      // Counted only when the SIGKILL landed on a live daemon process, not when it was planned.
      t.ok(
        report.kills >= kills,
        `the daemon was SIGKILLed ${report.kills} times (of ${report.plannedKills} planned)`,
      );
      // Latency only slows requests down; the faults that count are the errors, resets and lost answers.
      const errors = Object.entries(report.access.faults).filter(([kind]) => kind !== "latency");
      t.ok(
        errors.length > 0 && report.access.commitsLost > 0,
        "the emulator injected faults, among them at least one lost commit answer",
      );
      t.ok(report.modifications.files > 0, "files were rewritten during the run");
      for (const check of report.checks) t.ok(check.ok, check.name, { detail: check.detail, seed });
    },
  );
}
