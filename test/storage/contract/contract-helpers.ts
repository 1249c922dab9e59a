/** Shared setup for the Journal contract suite: a manual clock, a job, files, and stage drivers. */
import { join } from "node:path";
import type tap from "tap";
import {
  FILE_STATES,
  type FileHashes,
  type FileRecord,
  type FileStat,
  type FileState,
  type JobOptions,
  type JobSpec,
  type Journal,
  type NowFn,
  type ScannedFile,
} from "../../../storage/journal.js";

export type TapTest = Parameters<Parameters<typeof tap.test>[0]>[0];

/** Builds a Journal on a file; `now` is the injected clock. Opening the same path again reopens it. */
export type JournalFactory = (path: string, options: { now: NowFn }) => Journal;

export class ManualClock {
  ms = 1_700_000_000_000;
  readonly now: NowFn = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export const OPTIONS: JobOptions = {
  include: [],
  exclude: ["*.tmp"],
  message: "Upload folder",
  visibility: "default",
  spaceSdk: null,
  tokenFile: null,
  watch: false,
  everyMinutes: null,
  deleteRemote: false,
};

export function specFor(folder: string, revision = "main"): JobSpec {
  return {
    folder,
    endpoint: "http://127.0.0.1:1",
    repoType: "dataset",
    repoId: "alice/data",
    revision,
    pathInRepo: "",
  };
}

export interface Harness {
  journal: Journal;
  readonly clock: ManualClock;
  readonly dir: string;
  readonly path: string;
  readonly jobId: number;
  /** Closes the journal and opens the same file again. */
  reopen(): Journal;
}

export function setup(t: TapTest, factory: JournalFactory): Harness {
  const dir = t.testdir();
  const path = join(dir, "state", "journal.db");
  const clock = new ManualClock();
  const journal = factory(path, { now: clock.now });
  const jobId = journal.jobs.upsert(specFor(join(dir, "folder")), OPTIONS).job.id;
  const harness: Harness = {
    journal,
    clock,
    dir,
    path,
    jobId,
    reopen() {
      harness.journal.close();
      harness.journal = factory(path, { now: clock.now });
      return harness.journal;
    },
  };
  t.teardown(() => harness.journal.close());
  return harness;
}

/** A stat that differs per `seed`; big decimal strings like real nanosecond times. */
export function statOf(seed: number, size = 1000 + seed): FileStat {
  return {
    size,
    mtimeNs: `17000000000${String(seed).padStart(8, "0")}`,
    ctimeNs: `17000000001${String(seed).padStart(8, "0")}`,
    inode: String(9_000_000_000_000_000 + seed),
  };
}

export function fileAt(path: string, seed: number, size?: number): ScannedFile {
  return { path, ...statOf(seed, size) };
}

export function hashesFor(seed: number): FileHashes {
  const hex = (n: number, len: number) => n.toString(16).padStart(len, "0");
  return {
    sha256: hex(seed, 64),
    sha1: hex(seed, 40),
    sample: Buffer.from(`sample ${seed}`).toString("base64"),
  };
}

/** Scans `count` new files named `<prefix><i>` in a new generation and finishes the scan. */
export function addFiles(journal: Journal, jobId: number, count: number, prefix = "f"): FileRecord[] {
  const generation = journal.scan.begin(jobId);
  const files = Array.from({ length: count }, (_, i) => fileAt(`${prefix}${i}`, i));
  journal.scan.upsertFiles(jobId, generation, files);
  return files.map((f) => {
    const record = journal.files.find(jobId, f.path);
    if (record === null) throw new Error(`file ${f.path} missing after the scan`);
    return record;
  });
}

const LEASE = 60_000;

/** Drives every file of the job that is in an earlier stage up to `target` (LFS path). */
export function driveAll(
  journal: Journal,
  jobId: number,
  target: "hashed" | "planned" | "uploaded" | "committed",
): void {
  const owner = "driver";
  const all = (state: FileState) =>
    journal.files.claim({ jobId, state, limit: 1_000_000, leaseId: owner, leaseMs: LEASE });
  for (const file of all("scanned")) {
    journal.stages.recordHashed(file.id, owner, file, file, hashesFor(file.id));
  }
  if (target === "hashed") return;
  journal.stages.recordPlans(
    owner,
    all("hashed").map((f) => ({
      fileId: f.id,
      uploadMode: "lfs" as const,
      remoteOid: null,
      next: "planned" as const,
    })),
  );
  if (target === "planned") return;
  for (const file of all("planned")) journal.stages.recordUploaded(file.id, owner);
  if (target === "uploaded") return;
  const ready = journal.files.list(jobId, { state: "uploaded" }).map((f) => f.id);
  const commit = journal.commits.create(jobId, ready, "Upload folder");
  journal.commits.recordDone(commit.id, "c0ffee".padEnd(40, "0"));
}

export function stateOf(journal: Journal, fileId: number): FileState | undefined {
  return journal.files.get(fileId)?.state;
}

/** The invariant behind getJobCounts: it equals a recount of the job's files through the API. */
export function checkCounts(t: TapTest, journal: Journal, jobId: number): void {
  const counts = journal.jobs.counts(jobId);
  const files = journal.files.list(jobId);
  for (const state of FILE_STATES) {
    const inState = files.filter((f) => f.state === state);
    t.same(
      counts.byState[state],
      { files: inState.length, bytes: inState.reduce((sum, f) => sum + f.size, 0) },
      `counts for ${state}`,
    );
  }
  t.equal(counts.waiting, files.filter((f) => f.nextAttemptAt !== null).length, "waiting count");
  t.same(counts.total, { files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) }, "total");
}
