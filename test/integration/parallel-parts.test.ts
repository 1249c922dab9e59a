import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import type { AccessLogLine } from "../../emulator/access-log.js";
import { readAccessLog } from "../helpers/access-log.js";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";

// One big file over a link that caps each connection (a real emulator behind its --link relay):
// the engine starts with one upload connection and adds streams while the rate rises, sending
// further parts of the same file beside the streamed one. Invariants: every part is sent exactly
// once, never more parts at once than maxUploadStreams, and the object arrives byte-identical.
const MiB = 1024 * 1024;
const MAX_STREAMS = 4;

/** Most intervals [time - durationMs, time] of `lines` overlapping at one instant. */
function peakOverlap(lines: AccessLogLine[]): number {
  const edges = lines.flatMap((l) => {
    const end = Date.parse(l.time);
    return [
      { at: end - l.durationMs, d: 1 },
      { at: end, d: -1 },
    ];
  });
  edges.sort((a, b) => a.at - b.at || a.d - b.d); // an end before a start at the same ms
  let open = 0;
  let peak = 0;
  for (const e of edges) {
    open += e.d;
    peak = Math.max(peak, open);
  }
  return peak;
}

t.test("a big file's parts go in parallel when one connection is capped, each part once", async (t) => {
  const h = await startHarness({
    emulator: { multipartThresholdBytes: 2 * MiB, multipartChunkBytes: MiB, link: "conn=3M" },
    tuning: { streamWindowMs: 250, maxUploadStreams: MAX_STREAMS, partBufferBytes: 8 * MiB },
    uploadWorkers: 1,
  });
  t.teardown(() => h.close());
  const content = randomBytes(16 * MiB);
  writeFileSync(path.join(h.folder, "big.bin"), content);
  const job = h.add("user/parts", { transfer: "lfs" });
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", "the job finished");

  const lines = readAccessLog(h.accessLog);
  const parts = lines.filter((l) => l.route === "lfs-part");
  const numbers = parts.map((l) => l.partNumber).sort((a, b) => (a ?? 0) - (b ?? 0));
  t.same(
    numbers,
    Array.from({ length: 16 }, (_, i) => i + 1),
    "each of the 16 parts was sent exactly once",
  );
  t.ok(
    parts.every((l) => l.status === 200),
    "and stored",
  );
  const peak = peakOverlap(parts);
  t.ok(peak >= 2, `parts of the one file went in parallel (${peak} at once)`);
  t.ok(peak <= MAX_STREAMS, `never more than maxUploadStreams at once (${peak} ≤ ${MAX_STREAMS})`);
  const repo = { endpoint: h.emulator.url, id: "user/parts", token: WRITE_TOKEN };
  t.ok((await downloadRemoteFile(repo, "big.bin")).equals(content), "the object downloads identical");
});
