import type { FileStat } from "../../storage/journal.js";
import type { HashOutcome } from "./hash-outcome.js";

/** Files up to this size have their hashed bytes kept for the commit (issue 16 item 1). */
export const KEEP_MAX_BYTES = 64 * 1024;
/** Bytes kept at most, for all jobs of the process (issue 16 item 3 bounds the memory). */
export const KEPT_BUDGET_BYTES = 16 * 1024 * 1024;
/** An entry older than this when room is needed is dropped (its file went LFS, failed or waits long). */
const STALE_MS = 30_000;

/**
 * How long before a hash began its file must have last changed for its bytes to be kept. File
 * times advance by clock ticks (a few ms on Linux; 1–2 s where times have no sub-second part): a
 * write in the same tick as the previous one leaves the stat unchanged, so only bytes of a file
 * that was quiet for longer than a tick may later be trusted on a stat check alone (git's "racily
 * clean" rule). Others are read again and checked by content at commit time, as before.
 */
const QUIET_MS = 100;
const QUIET_MS_COARSE_TIMES = 2_500;

/**
 * Keeps the bytes a hash returned, if its file had been quiet since before the hash began
 * (`startedMs`, Date.now() when it was asked for); true when kept.
 */
export function keepHashed(
  kept: KeptContent,
  fileId: number,
  outcome: HashOutcome,
  startedMs: number,
): boolean {
  if (!outcome.ok || outcome.content === undefined || outcome.hashes.sha1 === null) return false;
  const { statAfter } = outcome;
  const changedNs =
    BigInt(statAfter.ctimeNs) > BigInt(statAfter.mtimeNs) ? statAfter.ctimeNs : statAfter.mtimeNs;
  const coarse =
    BigInt(statAfter.mtimeNs) % 1_000_000_000n === 0n && BigInt(statAfter.ctimeNs) % 1_000_000_000n === 0n;
  const quietSinceMs = startedMs - (coarse ? QUIET_MS_COARSE_TIMES : QUIET_MS);
  if (BigInt(changedNs) >= BigInt(quietSinceMs) * 1_000_000n) return false;
  return kept.keep(fileId, { bytes: outcome.content, sha1: outcome.hashes.sha1, stat: statAfter });
}

export interface KeptEntry {
  readonly bytes: Uint8Array;
  /** The blob sha1 and the stat the bytes were hashed with: the commit checks both against the row. */
  readonly sha1: string;
  readonly stat: FileStat;
}

/**
 * The bytes the hashing threads read for small files, kept by file id so the commit stage need not
 * open and read those files a second time. Bounded: a file that does not fit is not kept (its
 * commit reads it again, as before), and entries left stale are dropped when room is needed.
 */
export class KeptContent {
  readonly budgetBytes: number;
  readonly #entries = new Map<number, { entry: KeptEntry; at: number }>();
  #bytes = 0;
  readonly #now: () => number;

  constructor(budgetBytes: number = KEPT_BUDGET_BYTES, now: () => number = Date.now) {
    this.budgetBytes = budgetBytes;
    this.#now = now;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Whether a file of this size would be kept now (so a thread need not read it into a buffer of its own). */
  hasRoom(size: number): boolean {
    return size <= KEEP_MAX_BYTES && (this.#bytes + size <= this.budgetBytes || this.#evictStale(size));
  }

  /** Keeps the bytes of a file, or drops them if the budget is full; true when kept. */
  keep(fileId: number, entry: KeptEntry): boolean {
    this.drop(fileId);
    const size = entry.bytes.byteLength;
    if (!this.hasRoom(size)) return false;
    this.#entries.set(fileId, { entry, at: this.#now() });
    this.#bytes += size;
    return true;
  }

  /** The kept bytes of a file, removed from the store (the caller checks they are still current). */
  take(fileId: number): KeptEntry | null {
    const kept = this.#entries.get(fileId);
    if (kept === undefined) return null;
    this.drop(fileId);
    return kept.entry;
  }

  drop(fileId: number): void {
    const kept = this.#entries.get(fileId);
    if (kept === undefined) return;
    this.#entries.delete(fileId);
    this.#bytes -= kept.entry.bytes.byteLength;
  }

  /** Drops entries older than STALE_MS, oldest first, until `size` more bytes fit; true if they do. */
  #evictStale(size: number): boolean {
    const oldest = this.#now() - STALE_MS;
    for (const [id, kept] of this.#entries) {
      if (this.#bytes + size <= this.budgetBytes || kept.at > oldest) break;
      this.drop(id);
    }
    return this.#bytes + size <= this.budgetBytes;
  }
}
