/**
 * Non-blocking uploads through the daemon (run_as_future): add jobs, keep working, follow them.
 * Run: `npx tsx examples/non-blocking.ts` (starts the daemon if none runs, and stops it at the end).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "hubpush";

const daemon = await connect({ start: true });
try {
  const folders = ["run-1", "run-2"].map((name) => {
    const folder = mkdtempSync(path.join(tmpdir(), `${name}-`));
    writeFileSync(path.join(folder, "metrics.json"), `{"run": "${name}"}\n`);
    return folder;
  });
  // The jobs of one connection run one after another, in the order added.
  const first = await daemon.add({
    folderPath: folders[0] as string,
    repoId: "alice/runs",
    pathInRepo: "run-1",
  });
  const second = await daemon.add({
    folderPath: folders[1] as string,
    repoId: "alice/runs",
    pathInRepo: "run-2",
  });
  for await (const event of first.events()) console.log(`job ${event.jobId}: ${event.type}`);
  const results = await Promise.all([first.done, second.done]);
  for (const r of results) console.log(`job ${r.jobId}: ${r.commits.map((c) => c.url).join(", ")}`);
} finally {
  await daemon.shutdown();
  await daemon.close();
}
