/**
 * W3: SIGKILL `hubpush upload` once half the work is done, run the same command again, and count
 * what the resume did twice. Baseline: an uninterrupted run of the same folder in the same bench.
 *
 * - small: the W1 folder; "half" = half of the files committed.
 * - large: the W2 folder; "half" = half of the bytes stored (completed objects + journaled parts).
 *
 * Re-hashed bytes come from the journal (files.hash_count, jobs.bytes_hashed), snapshot right after
 * the kill and again after the resume. Re-sent parts come from the emulator's access log: a part
 * the emulator had answered 2xx before the kill and receives again after it. A part in flight at
 * the kill leaves no log line (the client vanished mid-body) and is expected to be sent once more.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { type AccessLine, partsReceived, readAccessLog, summarize } from "./lib/access-log.js";
import type { BenchConfig } from "./lib/bench-config.js";
import { assertFreeSpace, listFiles, makeBenchDir } from "./lib/bench-dir.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { type FileRow, JournalProbe } from "./lib/journal-probe.js";
import { makeTree, smallFiles, type TreeSpec, warmTree } from "./lib/make-tree.js";
import { countRemoteFiles } from "./lib/remote-files.js";
import { load, seconds, writeResult } from "./lib/results.js";

const MiB = 1024 * 1024;
const KILL_AT = 0.5;

export async function runW3(config: BenchConfig): Promise<void> {
  const variants: Record<string, unknown>[] = [];
  for (const size of config.w3Sizes) variants.push(await killAndResume(config, size));
  writeResult("w3", config.cli, { killAt: KILL_AT, variants });
}

/** Fraction of the work done, read from the journal while hubpush runs. */
function progress(
  probe: JournalProbe,
  size: "small" | "large",
  totalFiles: number,
  totalBytes: number,
): number {
  const c = probe.counts();
  if (size === "small") return (c.committed?.files ?? 0) / totalFiles;
  let stored = ["uploaded", "committing", "committed"].reduce((s, k) => s + (c[k]?.bytes ?? 0), 0);
  for (const m of probe.multipart()) stored += m.done.length * m.chunkSize;
  return stored / totalBytes;
}

async function killAndResume(config: BenchConfig, size: "small" | "large"): Promise<Record<string, unknown>> {
  const name = `w3-${size}`;
  const spec: TreeSpec =
    size === "small"
      ? smallFiles(config.w1Files)
      : { count: config.w2Count, size: () => config.w2Mb * MiB, dirs: 1 };
  if (size === "large") assertFreeSpace(config.tmpRoot, 3.2 * config.w2Count * config.w2Mb * MiB, 1000, name);
  const dir = makeBenchDir(config.tmpRoot, name, config.keep);
  try {
    const folder = path.join(dir.root, "data");
    const tree = makeTree(folder, [spec]);
    const rels = listFiles(folder);
    const loadBefore = load();

    // Baseline: the same upload, uninterrupted.
    warmTree(folder, rels);
    const baseHub = await startEmulatorProcess({
      cli: config.cli,
      dataDir: path.join(dir.root, "hub-base"),
      accessLog: path.join(dir.root, "base-access.log"),
    });
    let base: Awaited<ReturnType<typeof runHubpushUpload>>;
    try {
      base = await runHubpushUpload({
        cli: config.cli,
        home: path.join(dir.root, "home-base"),
        folder,
        repo: `bench/${name}`,
        endpoint: baseHub.url,
      });
    } finally {
      await baseHub.close();
      rmSync(path.join(dir.root, "hub-base"), { recursive: true, force: true });
    }
    const baseStatus = assertCompleted(base, tree.files, `${name} baseline`);
    const baseLines = readAccessLog(baseHub.accessLog);
    console.log(`${name}: uninterrupted ${seconds(base.seconds)}, ${baseStatus.commits} commits`);

    // The same upload, SIGKILLed at half, then resumed with the same command.
    warmTree(folder, rels);
    const hub = await startEmulatorProcess({
      cli: config.cli,
      dataDir: path.join(dir.root, "hub-kill"),
      accessLog: path.join(dir.root, "kill-access.log"),
    });
    const home = path.join(dir.root, "home-kill");
    const journalFile = path.join(home, "journal.sqlite");
    try {
      let probe: JournalProbe | null = null;
      let doneAtKill = 0;
      let killedAtMs = 0;
      const killed = await runHubpushUpload({
        cli: config.cli,
        home,
        folder,
        repo: `bench/${name}`,
        endpoint: hub.url,
        sampleMs: 50,
        onSample: (_pid, elapsedMs) => {
          probe ??= JournalProbe.open(journalFile);
          if (probe === null) return undefined;
          const done = progress(probe, size, tree.files, tree.bytes);
          if (done < KILL_AT) return undefined;
          doneAtKill = done;
          killedAtMs = elapsedMs;
          return "SIGKILL";
        },
      });
      (probe as JournalProbe | null)?.close();
      if (killed.signal !== "SIGKILL") {
        throw new Error(`${name}: the run ended (exit ${killed.code}) before it reached ${KILL_AT * 100} %`);
      }
      // Let the emulator log what it was still answering to the dead client.
      await new Promise((r) => setTimeout(r, 500));
      const atKill = snapshot(journalFile);
      const linesAtKill = readAccessLog(hub.accessLog).length;

      const resumed = await runHubpushUpload({
        cli: config.cli,
        home,
        folder,
        repo: `bench/${name}`,
        endpoint: hub.url,
      });
      const status = assertCompleted(resumed, tree.files, `${name} resume`);
      const after = snapshot(journalFile);
      // Read before the check below: its tree listing is not the resume's work.
      const lines = readAccessLog(hub.accessLog);
      const remote = await countRemoteFiles(hub.url, `bench/${name}`);
      const loadAfter = load();
      const figures = analyse({
        atKill,
        after,
        before: lines.slice(0, linesAtKill),
        resumedLines: lines.slice(linesAtKill),
      });
      const total = killed.seconds + resumed.seconds;
      const result = {
        variant: size,
        files: tree.files,
        bytes: tree.bytes,
        uninterrupted: {
          seconds: base.seconds,
          commits: baseStatus.commits,
          bytesHashed: baseStatus.bytesHashed,
          partsReceived: [...partsReceived(baseLines).values()].reduce((a, b) => a + b, 0),
          requests: summarize(baseLines).byRoute,
        },
        killedAfterSeconds: killed.seconds,
        killedAtProgress: doneAtKill,
        killedAtMs,
        resumeSeconds: resumed.seconds,
        totalSeconds: total,
        ratioTotalToUninterrupted: total / base.seconds,
        commitsAfterResume: status.commits,
        bytesHashedAfterResume: status.bytesHashed,
        remoteFiles: remote,
        ...figures,
        loadAverage: { before: loadBefore, after: loadAfter },
      };
      print(name, result, figures);
      return result;
    } finally {
      await hub.close();
    }
  } finally {
    dir.remove();
  }
}

interface Snapshot {
  readonly files: Map<number, FileRow>;
  readonly counts: ReturnType<JournalProbe["counts"]>;
  readonly job: ReturnType<JournalProbe["job"]>;
  readonly multipart: ReturnType<JournalProbe["multipart"]>;
  readonly commits: ReturnType<JournalProbe["commitsByState"]>;
}

function snapshot(journalFile: string): Snapshot {
  const probe = JournalProbe.open(journalFile);
  if (probe === null) throw new Error(`no journal at ${journalFile}`);
  try {
    return {
      files: new Map(probe.files().map((f) => [f.id, f])),
      counts: probe.counts(),
      job: probe.job(),
      multipart: probe.multipart(),
      commits: probe.commitsByState(),
    };
  } finally {
    probe.close();
  }
}

function analyse(s: { atKill: Snapshot; after: Snapshot; before: AccessLine[]; resumedLines: AccessLine[] }) {
  // Hashing: a file whose hash was journaled before the kill must not be hashed again.
  let hashedBeforeKill = 0;
  let rehashedFiles = 0;
  let rehashedBytes = 0;
  let extraHashesOfOthers = 0;
  for (const [id, k] of s.atKill.files) {
    const a = s.after.files.get(id);
    if (!a) continue;
    if (k.hashCount >= 1) {
      hashedBeforeKill += 1;
      if (a.hashCount > k.hashCount) {
        rehashedFiles += 1;
        rehashedBytes += a.size * (a.hashCount - k.hashCount);
      }
    } else if (a.hashCount > 1) extraHashesOfOthers += a.hashCount - 1;
  }
  // Parts: received 2xx before the kill and PUT again after it.
  const receivedBefore = partsReceived(s.before);
  const putAfter = s.resumedLines.filter((l) => l.route === "lfs-part");
  const resentPerOid = new Map<string, number>();
  for (const l of putAfter) {
    if (receivedBefore.has(`${l.oid}:${l.partNumber}`))
      resentPerOid.set(l.oid ?? "", (resentPerOid.get(l.oid ?? "") ?? 0) + 1);
  }
  const inFlight = s.atKill.multipart.filter((m) => m.done.length < m.parts);
  // Parts whose PUT had started before the kill (any answer, or none: the emulator logs a part cut
  // off by the client's death with status 0) but whose ETag the journal did not hold.
  const journaled = new Set(s.atKill.multipart.flatMap((m) => m.done.map((n) => `${m.oid}:${n}`)));
  const started = new Set(
    s.before.filter((l) => l.route === "lfs-part").map((l) => `${l.oid}:${l.partNumber}`),
  );
  const putsAfter = new Map<string, number>();
  for (const l of putAfter)
    putsAfter.set(`${l.oid}:${l.partNumber}`, (putsAfter.get(`${l.oid}:${l.partNumber}`) ?? 0) + 1);
  const startedNotJournaled = [...started].filter((k) => !journaled.has(k));
  const partsJournaledAtKill = s.atKill.multipart.reduce((n, m) => n + m.done.length, 0);
  // Commits: every commit row is one POST (or one batch recorded failed before sending).
  const filesInBatches = (c: Snapshot["commits"]) => Object.values(c).reduce((n, b) => n + b.files, 0);
  return {
    hashing: {
      filesHashedBeforeKill: hashedBeforeKill,
      rehashedFilesOfThose: rehashedFiles,
      rehashedBytesOfThose: rehashedBytes,
      extraHashesOfFilesNotHashedAtKill: extraHashesOfOthers,
      bytesHashedAtKill: s.atKill.job.bytesHashed,
    },
    parts: {
      multipartFilesInFlightAtKill: inFlight.length,
      partsJournaledAtKill,
      partsReceivedBeforeKill: [...receivedBefore.values()].reduce((a, b) => a + b, 0),
      partPutsAfterResume: putAfter.length,
      partsReceivedTwice: [...resentPerOid.values()].reduce((a, b) => a + b, 0),
      maxPartsReceivedTwicePerFile: Math.max(0, ...resentPerOid.values()),
      partsStartedBeforeKillNotJournaled: startedNotJournaled.length,
      ofThoseSentAgain: startedNotJournaled.filter((k) => putsAfter.has(k)).length,
      partsSentAfterResumeThatWereJournaled: [...putsAfter.keys()].filter((k) => journaled.has(k)).length,
      maxPutsOfOnePartAfterResume: Math.max(0, ...putsAfter.values()),
      // Parts already sent are read again (not sent) to recompute the whole-file sha256 before completion.
      bytesReReadForWholeFileSha256: inFlight.reduce((n, m) => n + m.done.length * m.chunkSize, 0),
    },
    commits: {
      batchesAtKill: s.atKill.commits,
      batchesAfter: s.after.commits,
      filesInBatchesBeyondOnce: filesInBatches(s.after.commits) - s.after.files.size,
      commitPostsBeforeKill: s.before.filter((l) => l.route === "commit").length,
      commitPostsAfterResume: s.resumedLines.filter((l) => l.route === "commit").length,
      pathsInfoAfterResume: s.resumedLines.filter((l) => l.route === "paths-info").length,
    },
    requestsAfterResume: summarize(s.resumedLines).byRoute,
  };
}

function print(name: string, r: Record<string, unknown>, f: ReturnType<typeof analyse>): void {
  const n = (x: unknown) => (typeof x === "number" ? x : 0);
  const base = r.uninterrupted as { seconds: number };
  console.log(
    `${name}: killed at ${(n(r.killedAtProgress) * 100).toFixed(0)} % after ${seconds(n(r.killedAfterSeconds))}; resume ${seconds(n(r.resumeSeconds))}; total ${seconds(n(r.totalSeconds))} vs uninterrupted ${seconds(base.seconds)} → ratio ${n(r.ratioTotalToUninterrupted).toFixed(2)}`,
  );
  console.log(
    `${name}: re-hashed after resume: ${f.hashing.rehashedBytesOfThose} bytes in ${f.hashing.rehashedFilesOfThose} of the ${f.hashing.filesHashedBeforeKill} files hashed before the kill (target 0); extra hashes of files not hashed at the kill: ${f.hashing.extraHashesOfFilesNotHashedAtKill}`,
  );
  console.log(
    `${name}: parts received twice: ${f.parts.partsReceivedTwice} (max ${f.parts.maxPartsReceivedTwicePerFile} per file; ${f.parts.multipartFilesInFlightAtKill} multipart files in flight at the kill, target ≤ 1 per file); part PUTs after resume ${f.parts.partPutsAfterResume} for ${f.parts.partsJournaledAtKill} journaled at the kill; parts cut off by the kill ${f.parts.partsStartedBeforeKillNotJournaled} (sent again: ${f.parts.ofThoseSentAgain}); bytes re-read for the whole-file sha256 ${f.parts.bytesReReadForWholeFileSha256}`,
  );
  console.log(
    `${name}: commit POSTs ${f.commits.commitPostsBeforeKill} before the kill, ${f.commits.commitPostsAfterResume} after; files in more than one batch: ${f.commits.filesInBatchesBeyondOnce}; batches at kill ${JSON.stringify(f.commits.batchesAtKill)}, after ${JSON.stringify(f.commits.batchesAfter)}`,
  );
}
