import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { formatRequests, wireTimeline } from "../../bench/lib/wire-timeline.js";

// The W8 wire timeline read from an emulator access log: the content requests by start, and what
// came after the last content byte (the LFS completes and the commit: the run's tail).
t.test("requests by start and the requests after the last content byte", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "wire-timeline-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const start = Date.parse("2026-12-08T00:00:00.000Z");
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  const line = (route: string, endS: number, durationMs: number, bytesIn: number) =>
    JSON.stringify({ time: at(endS), route, bytesIn, durationMs, status: 200 });
  const log = path.join(dir, "access.log");
  writeFileSync(
    log,
    `${[
      line("preupload", 0.5, 100, 300),
      line("lfs-part", 12, 10_000, 10e6), // 2–12 s
      line("lfs-put", 6, 5_000, 5e6), // 1–6 s, logged before the part that started later
      line("lfs-complete", 12.5, 300, 200), // +0.2–0.5 after the last byte
      line("commit", 13.4, 400, 900), // +1.0–1.4
    ].join("\n")}\n`,
  );
  const timeline = wireTimeline(log, start, start + 14_000, 1e6);
  t.same(
    timeline.requests.map((r) => [r.start, r.end, r.megabytes]),
    [
      [1, 6, 5],
      [2, 12, 10],
    ],
    "content requests only, by start, in seconds and MB",
  );
  t.same(
    timeline.tail.map((r) => r.route),
    ["lfs-complete", "commit"],
    "the preupload before the content is not part of the tail",
  );
  t.ok(
    Math.abs((timeline.tail[1]?.start ?? 0) - 1.0) < 1e-9,
    "the commit started 1.0 s after the last content byte",
  );
  t.match(
    formatRequests(timeline),
    /1\.0–6\.0:5\.0 2\.0–12\.0:10\.0; after the last content byte: lfs-complete \+0\.20–0\.50, commit \+1\.00–1\.40/,
  );
});
