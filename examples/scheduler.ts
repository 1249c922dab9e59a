/**
 * A CommitScheduler that commits a JSON-lines log every few seconds while a loop appends to it, as
 * a training script or a Gradio app would. Run: `npx tsx examples/scheduler.ts`.
 */
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CommitScheduler } from "hubpush";

const folder = mkdtempSync(path.join(tmpdir(), "feedback-"));
const file = path.join(folder, `data-${process.pid}.jsonl`);

const scheduler = new CommitScheduler({
  repoId: "alice/feedback",
  repoType: "dataset",
  folderPath: folder,
  pathInRepo: "logs",
  every: 0.05, // minutes: every 3 seconds
});

for (let step = 0; step < 20; step++) {
  // Written under the lock: a push never commits half a line.
  await scheduler.withLock(() => appendFileSync(file, `${JSON.stringify({ step, loss: 1 / (step + 1) })}\n`));
  await new Promise((resolve) => setTimeout(resolve, 400));
}
const last = await scheduler.stop(); // flushes: the last lines are committed too
console.log(`last commit: ${last?.commits[0]?.url ?? "nothing new"}`);
