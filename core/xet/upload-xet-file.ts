import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { HubpushError, toHubpushError } from "../../common/hubpush-error.js";
import type { FileRecord } from "../../storage/journal.js";
import type { CompressionChoice } from "../../xet/compression.js";
import { hashFromString, hashToString, sha256HexToRaw } from "../../xet/hash-string.js";
import { writeShard } from "../../xet/shard.js";
import { loadXetHasher, type XetHasher } from "../../xet/xet-hasher.js";
import type { LfsBatchAnswer } from "../hub/hub-client.js";
import { openHashedFile } from "../lfs/open-hashed-file.js";
import { assertUnchanged } from "../lfs/same-stat.js";
import { rehashOnSend } from "../lfs/send-guard.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { chunkHashes, hashedLengths, packChunks } from "./packed-chunks.js";
import { planShards } from "./shard-plan.js";
import { type PassResult, type PassXorb, termRecords } from "./xet-file-pass.js";
import { xetPassPool } from "./xet-pass-pool.js";
import type { XetSession } from "./xet-session.js";
import { dropSpool, type OutgoingXorb, serializedLength, xorbPieces } from "./xorb-spool.js";

type XetAnswer = Extract<LfsBatchAnswer, { kind: "xet" }>;

/** Xorb uploads in flight per file while chunking goes on (memory: one xorb ≤ 64 MiB each). */
export const XORB_STREAMS = 2;
const COMPRESSION: CompressionChoice = "auto";
const MISSING_XORB = /xorb ([0-9a-f]{64}), which is not stored/g;

/**
 * Uploads one file through the Xet CAS (docs/xet.md): a pass chunks it, dedups against the journal's
 * chunk index and the CAS's answers, uploads new xorbs (at most XORB_STREAMS at once; a xorb the
 * journal records as uploaded is never sent again), then the shard — only after every xorb it names
 * was stored (§6.1). The commit follows as for LFS (an `lfsFile` with the sha256). A shard refused
 * for missing xorbs forgets them and runs one more pass, which sends them again; a second refusal
 * fails the file (ERR_XET_SHARD_REFUSED), never a loop.
 */
export async function uploadXetFile(
  ctx: UploadStageDeps,
  session: XetSession,
  file: FileRecord,
  answer: XetAnswer,
): Promise<void> {
  const sha256 = file.sha256 ?? "";
  const known = ctx.journal.xet.getFile(file.id, sha256);
  if (known?.state === "shard_registered" || known?.state === "committed") return;
  session.offer(answer.refreshUrl, answer.token);
  const hasher = await loadXetHasher();
  const absolute = ctx.localPath(file.path);
  const handle = await openHashedFile(absolute, file);
  try {
    for (let pass = 1; ; pass++) {
      const result = await onePass(ctx, session, file, answer.refreshUrl, absolute, hasher);
      const missing = await registerShard(ctx, session, file, answer.refreshUrl, hasher, result);
      if (missing.length === 0) break;
      if (pass >= 2) {
        throw new HubpushError(
          "ERR_XET_SHARD_REFUSED",
          `The Xet CAS refused the shard of ${file.path} again after its missing xorbs were sent once more (${missing.join(", ")}).`,
        );
      }
      ctx.logger.warn(
        { path: file.path, xorbs: missing },
        "Xet shard refused for missing xorbs: sending them again",
      );
      for (const hash of missing) ctx.journal.xet.forgetXorb(ctx.job.endpoint, hash);
    }
    await assertUnchanged(handle, file, file.path);
  } finally {
    await handle.close();
  }
}

/** The spool directory of a file's pass: next to the journal (the daemon's data dir), else the OS temp dir. */
function spoolDirOf(ctx: UploadStageDeps, file: FileRecord): string {
  const path = ctx.journal.path;
  const base = typeof path === "string" && path.startsWith("/") ? dirname(path) : tmpdir();
  return join(base, "xet-spool", `${ctx.jobId}-${file.id}`);
}

interface PassOutcome extends PassResult {
  /** Xorb bytes this pass sent. */
  readonly sent: number;
  /** The shard's CAS section: every xorb this file version built (this pass or an earlier run). */
  readonly casXorbs: readonly PassXorb[];
  /** §3.5, computed once (the Merkle tree over every chunk of the file). */
  readonly fileHash: Uint8Array;
}

/** The xorbs named by `hashes`, from this pass or else from the journal (a xorb forgotten is left out). */
function casXorbs(ctx: UploadStageDeps, hashes: readonly string[], result: PassResult): PassXorb[] {
  const fresh = new Map(result.built.map((x) => [x.hashString, x]));
  const out: PassXorb[] = [];
  for (const hash of hashes) {
    const mine = fresh.get(hash);
    if (mine !== undefined) {
      out.push(mine);
      continue;
    }
    const stored = ctx.journal.xet.getXorb(ctx.job.endpoint, hash);
    if (stored === null) continue;
    out.push({
      hash: hashFromString(hash),
      hashString: hash,
      chunks: packChunks(stored.chunks),
      unpackedLength: stored.unpackedBytes,
      serializedLength: stored.serializedBytes,
    });
  }
  return out;
}

async function onePass(
  ctx: UploadStageDeps,
  session: XetSession,
  file: FileRecord,
  refreshUrl: string,
  absolute: string,
  hasher: XetHasher,
): Promise<PassOutcome> {
  const { endpoint } = ctx.job;
  const xet = ctx.journal.xet;
  let sent = 0;
  const send = async (xorb: OutgoingXorb): Promise<void> => {
    if (xet.getXorb(endpoint, xorb.hashString)?.state === "uploaded") return await dropSpool(xorb);
    const length = serializedLength(xorb);
    xet.recordXorbBuilt(endpoint, {
      hash: xorb.hashString,
      chunks: xorb.chunks,
      unpackedBytes: xorb.unpackedLength,
      serializedBytes: length,
    });
    // The --max-rate cap paces the body piece by piece as it goes out (as for LFS): one take of
    // the whole xorb (up to 64 MiB) would let it all go at once and only delay the next one.
    const pace = async (bytes: number): Promise<void> => {
      await ctx.throttleBytes(bytes, ctx.signal);
      ctx.uploadMeter.add(bytes);
    };
    const body = xorb.spool === undefined ? xorb.body : xorbPieces(xorb);
    await session.withToken(refreshUrl, ctx.signal, (token) =>
      ctx.hub.xet.uploadXorb(token, xorb.hashString, body, ctx.signal, pace),
    );
    // The CAS answered, so every byte left: the read slab may serve the next upload.
    if (!(body instanceof Uint8Array)) body.release();
    xet.recordXorbUploaded(endpoint, xorb.hashString, ctx.jobId, length);
    sent += length;
    await dropSpool(xorb);
  };
  // Xorbs grow to 64 MiB in 8 MiB segments spooled here (xorb-spool.ts): a directory per file
  // version, emptied before (a crash may have left files) and removed after the pass.
  const spoolDir = spoolDirOf(ctx, file);
  await rm(spoolDir, { recursive: true, force: true });
  // The pass (read, chunks, hashes, stat guard or sha256 check, xorbs) runs in a worker thread (xet-pass-pool.ts);
  // this thread answers its lookups and uploads its xorbs, at most XORB_STREAMS at once.
  const result = await xetPassPool()
    .run({
      absolute,
      file,
      compression: COMPRESSION,
      lookup: (hash) => xet.lookupChunk(endpoint, hash) ?? session.lookup(hash),
      query: (hash) => session.query(refreshUrl, hash, ctx.signal),
      upload: send,
      streams: XORB_STREAMS,
      signal: ctx.signal,
      spoolDir,
      xorbMaxBytes: ctx.tuning.xetXorbBytes,
      // Not hashed again unless the stat cannot vouch for the bytes (core/lfs/send-guard.ts).
      statGuard: rehashOnSend(file, ctx.job, ctx.tuning)
        ? undefined
        : { size: file.size, mtimeNs: file.mtimeNs, ctimeNs: file.ctimeNs, inode: file.inode },
    })
    .finally(() => rm(spoolDir, { recursive: true, force: true }));
  const sha256 = file.sha256 ?? "";
  const terms = termRecords(result.terms);
  const fileHash = hasher.fileHash(hashedLengths(result.chunks));
  const xetHash = hashToString(fileHash);
  // Xorbs built by an earlier, interrupted run of this version stay in its shard, so a re-run
  // registers the same shard (the re-run finds them in the chunk index instead of building them).
  const earlier = xet.getFile(file.id, sha256)?.builtXorbs ?? [];
  const builtXorbs = [...new Set([...earlier, ...result.built.map((x) => x.hashString)])];
  xet.recordFile(file.id, sha256, { state: "chunked", xetHash, terms, builtXorbs, bytesSent: sent });
  xet.recordFile(file.id, sha256, { state: "xorbs_stored", bytesDeduped: result.dedupBytes });
  return { ...result, sent, casXorbs: casXorbs(ctx, builtXorbs, result), fileHash };
}

/**
 * Posts the file's shards (planShards: one, unless the 64 MiB budget splits off CAS-only shards
 * first); returns the xorbs the CAS says are missing (empty on success). The file version becomes
 * `shard_registered` only after the last; a re-run after a crash between two re-posts the same bodies.
 */
async function registerShard(
  ctx: UploadStageDeps,
  session: XetSession,
  file: FileRecord,
  refreshUrl: string,
  hasher: XetHasher,
  result: PassOutcome,
): Promise<string[]> {
  const record = {
    fileHash: result.fileHash,
    sha256: sha256HexToRaw(result.sha256),
    terms: result.terms.map((t) => ({
      xorbHash: hashFromString(t.slot.hash ?? ""),
      unpackedBytes: t.bytes,
      start: t.start,
      end: t.end,
      verification: hasher.verificationHash(chunkHashes(result.chunks, t.firstChunk, t.lastChunk + 1)),
    })),
  };
  const xorbs = result.casXorbs.map((x) => {
    let start = 0;
    return {
      hash: x.hash,
      chunks: hashedLengths(x.chunks).map((c) => {
        const entry = { hash: c.hash, start, length: c.length, flags: 0 };
        start += c.length;
        return entry;
      }),
      unpackedBytes: x.unpackedLength,
      bytesOnDisk: x.serializedLength,
    };
  });
  let shardBytes = 0;
  for (const shard of planShards(record, xorbs, ctx.tuning.xetShardBytes)) {
    const body = writeShard(shard);
    try {
      await session.withToken(refreshUrl, ctx.signal, (token) =>
        ctx.hub.xet.uploadShard(token, body, ctx.signal),
      );
    } catch (err) {
      const error = toHubpushError(err);
      if (error.code !== "ERR_XET_CAS_REJECTED") throw err;
      const missing = [...new Set([...error.message.matchAll(MISSING_XORB)].map((m) => m[1] ?? ""))];
      if (missing.length === 0) throw err;
      return missing;
    }
    shardBytes += body.length;
    ctx.uploadMeter.add(body.length);
  }
  const xet = ctx.journal.xet;
  ctx.journal.transaction(() => {
    xet.recordFile(file.id, file.sha256 ?? "", { state: "shard_registered", bytesSent: shardBytes });
    xet.addJobStats(ctx.jobId, {
      bytesChunked: file.size,
      bytesDeduped: result.dedupBytes,
      bytesSent: shardBytes,
      files: 1,
    });
    ctx.journal.events.append("xet.registered", ctx.jobId, {
      path: file.path,
      bytes: file.size,
      bytesDeduplicated: result.dedupBytes,
      bytesSent: result.sent + shardBytes,
      xorbs: result.built.length,
    });
  });
  return [];
}
