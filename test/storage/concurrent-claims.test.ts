import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { openJournal } from "../../storage/sqlite-journal.js";
import { addFiles, OPTIONS, specFor, type TapTest } from "./contract/contract-helpers.js";

const CLAIMER = fileURLToPath(new URL("./fixtures/claim-loop.ts", import.meta.url));

function checkPartition(t: TapTest, all: readonly number[], claims: readonly (readonly number[])[]): void {
  const union = claims.flat();
  t.equal(new Set(union).size, union.length, "no file was claimed twice");
  t.same(
    [...union].sort((a, b) => a - b),
    [...all].sort((a, b) => a - b),
    "together they claimed every file",
  );
}

t.test("two connections in one process claiming alternately never share a file", async (t) => {
  const path = join(t.testdir(), "journal.db");
  const first = openJournal(path);
  const second = openJournal(path);
  t.teardown(() => {
    first.close();
    second.close();
  });
  const jobId = first.jobs.upsert(specFor("/data"), OPTIONS).job.id;
  const files = addFiles(first, jobId, 500);
  const got: number[][] = [[], []];
  // Bounded, so that a broken claim (handing out the same files forever) fails instead of hanging.
  for (let round = 0; round < 1000; round++) {
    const a = first.files.claim({
      jobId,
      state: "scanned",
      limit: 1 + (round % 5),
      leaseId: "a",
      leaseMs: 60_000,
    });
    const b = second.files.claim({
      jobId,
      state: "scanned",
      limit: 1 + (round % 3),
      leaseId: "b",
      leaseMs: 60_000,
    });
    got[0]?.push(...a.map((f) => f.id));
    got[1]?.push(...b.map((f) => f.id));
    if (a.length === 0 && b.length === 0) break;
  }
  t.ok((got[0]?.length ?? 0) > 0 && (got[1]?.length ?? 0) > 0, "both claimed something");
  checkPartition(
    t,
    files.map((f) => f.id),
    got,
  );
});

function collect(child: ChildProcess): { ready: Promise<void>; done: Promise<number[][]> } {
  let buffered = "";
  const batches: number[][] = [];
  let stderr = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<number[][]>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") onReady();
        else if (line === "done") resolve(batches);
        else if (line !== "") batches.push(JSON.parse(line) as number[]);
      }
    });
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`claimer exited with ${code}: ${stderr}`));
    });
  });
  return { ready, done };
}

t.test("three processes claiming from the same job until empty never share a file", async (t) => {
  const path = join(t.testdir(), "journal.db");
  const setup = openJournal(path);
  const jobId = setup.jobs.upsert(specFor("/data"), OPTIONS).job.id;
  const files = addFiles(setup, jobId, 3000);
  setup.close();
  const children = ["p1", "p2", "p3"].map((owner) =>
    spawn(process.execPath, ["--import", "tsx", CLAIMER, path, String(jobId), owner], {
      stdio: ["pipe", "pipe", "pipe"],
    }),
  );
  const runs = children.map(collect);
  await Promise.all(runs.map((run) => run.ready));
  for (const child of children) child.stdin.write("go\n");
  const results = await Promise.all(runs.map((run) => run.done));
  t.comment(`files claimed per process: ${results.map((r) => r.flat().length).join(", ")}`);
  checkPartition(
    t,
    files.map((f) => f.id),
    results.map((batches) => batches.flat()),
  );
});
