/**
 * `npm run chaos [-- --seed N] [--kills N] [--transfer xet|lfs] [--short] [--keep] [--default-backoff]`: the long chaos
 * run (≥ 50 SIGKILLs of the daemon over a ~3,000-file folder while files change and the emulator
 * injects faults), then every end-state check. Prints the report; exits 1 when a check fails.
 * --transfer (default xet) is the job's: big files go through the Xet CAS or through LFS.
 * HUBPUSH_CHAOS_SEED sets the seed when --seed is not given.
 */
import { parseArgs } from "node:util";
import { formatReport } from "../test/chaos/chaos-report.js";
import { runChaos } from "../test/chaos/chaos-run.js";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    kills: { type: "string", default: "60" },
    transfer: { type: "string", default: "xet" },
    short: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    "default-backoff": { type: "boolean", default: false },
  },
});
const seed = Number(values.seed ?? process.env.HUBPUSH_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const kills = Number(values.kills);
const transfer = values.transfer;
if (
  !Number.isSafeInteger(seed) ||
  seed < 0 ||
  !Number.isSafeInteger(kills) ||
  kills < 1 ||
  (transfer !== "xet" && transfer !== "lfs")
) {
  process.stderr.write(
    "usage: npm run chaos -- [--seed N] [--kills N] [--transfer xet|lfs] [--short] [--keep] [--default-backoff]\n",
  );
  process.exitCode = 2;
} else {
  process.stdout.write(`chaos seed ${seed}, ${kills} kills, --transfer ${transfer}\n`);
  const started = Date.now();
  const report = await runChaos({
    seed,
    kills,
    scale: values.short ? "short" : "long",
    transfer,
    fastBackoff: !values["default-backoff"],
    keep: values.keep,
    finishDeadlineMs: 15 * 60_000,
    log: (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  process.exitCode = report.checks.every((c) => c.ok) ? 0 : 1;
}
