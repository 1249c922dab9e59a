import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import t from "tap";
import { processSemiSpaceMb, XET_WORKER_SEMI_SPACE_MB } from "../../../core/xet/worker-semi-space.js";
import { noise } from "../../helpers/noise.js";

const MiB = 1024 * 1024;
const CHILD = fileURLToPath(new URL("./fixtures/semi-space-child.ts", import.meta.url));

/**
 * The bound on a pass thread's young generation holds although the process runs with the main
 * thread's `--max-semi-space-size=8` (which V8 applies to every isolate over resourceLimits: the
 * threads' new space was 16 MB each), and the flag is the process's again for threads started after.
 */
t.test(
  "a pass thread's new space stays within 2 × XET_WORKER_SEMI_SPACE_MB under the process's flag",
  async (t) => {
    const file = join(t.testdir(), "f.bin");
    writeFileSync(file, noise(48 * MiB, 9));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--max-semi-space-size=8", "--import", "tsx", CHILD, file],
      { maxBuffer: MiB },
    );
    const got = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      passThread: number;
      plainWorker: number;
    };
    t.ok(got.passThread > 0, "the pass thread reported its new space");
    t.ok(
      got.passThread <= 2 * XET_WORKER_SEMI_SPACE_MB * MiB,
      `pass thread new space ${(got.passThread / MiB).toFixed(1)} MiB ≤ ${2 * XET_WORKER_SEMI_SPACE_MB} MiB`,
    );
    t.ok(
      got.plainWorker > 2 * XET_WORKER_SEMI_SPACE_MB * MiB,
      `a thread started afterwards has the process's semi-space again (${(got.plainWorker / MiB).toFixed(1)} MiB new space)`,
    );
  },
);

t.test("the process's own --max-semi-space-size is found to restore it", async (t) => {
  t.equal(processSemiSpaceMb([], ""), 0, "unset: V8 chooses");
  t.equal(processSemiSpaceMb(["--max-old-space-size=192", "--max-semi-space-size=8"], ""), 8);
  t.equal(processSemiSpaceMb(["--max_semi_space_size", "4"], ""), 4, "underscores, separate value");
  t.equal(
    processSemiSpaceMb(["--max-semi-space-size=8"], "--max-semi-space-size=2"),
    8,
    "the command line wins",
  );
  t.equal(processSemiSpaceMb([], "--max-semi-space-size=2"), 2, "NODE_OPTIONS");
});
