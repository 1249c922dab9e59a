import t from "tap";
import { formatReport } from "./chaos-report.js";
import { runChaos } from "./chaos-run.js";

// A fresh seed per run explores new schedules; HUBPUSH_CHAOS_SEED replays one.
const SEED = Number(process.env.HUBPUSH_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.HUBPUSH_CHAOS_KILLS ?? 10);
// Both transfers, the big files through the Xet CAS and through LFS (HUBPUSH_CHAOS_TRANSFER picks one).
const TRANSFERS = (process.env.HUBPUSH_CHAOS_TRANSFER ?? "xet,lfs").split(",") as Array<"xet" | "lfs">;

for (const transfer of TRANSFERS) {
  t.test(
    `--transfer ${transfer}: daemon SIGKILLed at random moments, files rewritten, faults injected: nothing lost or corrupted`,
    async (t) => {
      t.comment(
        `chaos seed ${SEED} (replay: HUBPUSH_CHAOS_SEED=${SEED} HUBPUSH_CHAOS_TRANSFER=${transfer} npx tap test/chaos/chaos-short.test.ts)`,
      );
      const report = await runChaos({ seed: SEED, kills: KILLS, scale: "short", transfer });
      t.comment(formatReport(report));
      // Counted only when the SIGKILL landed on a live daemon process, not when it was planned.
      t.ok(
        report.kills >= KILLS,
        `the daemon was SIGKILLed ${report.kills} times (of ${report.plannedKills} planned)`,
      );
      // Latency only slows requests down; the faults that count are the errors, resets and lost answers.
      const errors = Object.entries(report.access.faults).filter(([kind]) => kind !== "latency");
      t.ok(
        errors.length > 0 && report.access.commitsLost > 0,
        "the emulator injected faults, among them at least one lost commit answer",
      );
      t.ok(report.modifications.files > 0, "files were rewritten during the run");
      for (const check of report.checks) t.ok(check.ok, check.name, { detail: check.detail, seed: SEED });
    },
  );
}
