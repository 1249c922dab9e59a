/** The number of most recent terms the average is taken over (§7.3; [XC] uses 128). */
export const GUARD_WINDOW = 128;
/** The average chunks per term below which dedup ranges stop being taken ([SPEC]: ≥ 8 chunks, ~1 MB). */
export const GUARD_MIN_CHUNKS_PER_TERM = 8;
/** Once dedup is allowed, it stops only below GUARD_MIN_CHUNKS_PER_TERM × this (hysteresis). */
export const GUARD_HYSTERESIS = 0.5;

/**
 * Chunks a pass looks ahead to size the dedup range it would start. Refusing happens only while the
 * average is below 8, and a range longer than the average is taken, so 8 chunks (the range's first
 * and 7 after it) decide every case.
 */
export const GUARD_LOOKAHEAD = 8;

/** The part of a pass term the guard reads: its range of the file's chunks (inclusive). */
export interface GuardTerm {
  readonly firstChunk: number;
  readonly lastChunk: number;
}

/**
 * xet-protocol.md §7.3: a file whose chunks alternate between known and new would otherwise become
 * thousands of 1-chunk terms (a large shard, a slow reconstruction for every download). Over the last
 * GUARD_WINDOW terms of the file, the average chunks per term decides whether a dedup range may
 * *start* here: below 8 × 0.5 = 4 it may not (the chunk is packed into a new xorb, which grows one
 * long term), and it may again once the average is back above 8. Continuing the previous term never
 * asks the guard. Look-ahead ([XC] `allow_dedup_on_next_range`): even while closed, a range longer
 * than the current average is taken — it raises the average, and refusing it would send its chunks
 * again (a run of 8, the [SPEC] target, always qualifies) — so the pass tells the guard how long the
 * range it would start is (it holds GUARD_LOOKAHEAD chunks back for that, xet-file-pass.ts). Taking
 * such a range leaves the guard closed, as [XC] does. [XC] also takes a range exactly as long as the
 * average; we do not: at an average of 1 that takes every 1-chunk range of a file alternating known
 * and new chunks, and the guard would never defragment it. The decision depends only on the terms so far and the range ahead (both fixed by the
 * file's bytes and the lookup answers), so a pass stays deterministic.
 */
export class FragmentationGuard {
  readonly #window: number;
  readonly #high: number;
  readonly #low: number;
  /** true once dedup was allowed: the low threshold applies (the hysteresis). */
  #open = true;

  constructor(
    window = GUARD_WINDOW,
    minChunksPerTerm = GUARD_MIN_CHUNKS_PER_TERM,
    hysteresis = GUARD_HYSTERESIS,
  ) {
    this.#window = window;
    this.#high = minChunksPerTerm;
    this.#low = minChunksPerTerm * hysteresis;
  }

  /**
   * May a dedup range start after `terms` (the file's terms so far, in order)? Until the window is
   * full there is no estimate and the answer is yes. `rangeChunks` gives the length of the range it
   * would start (counted up to GUARD_LOOKAHEAD; asked only when the average is too low); default 0,
   * no look-ahead. Costs O(window) per call, and it is called only where a known chunk does not
   * continue the previous term.
   */
  allowsNewRange(terms: readonly GuardTerm[], rangeChunks: () => number = () => 0): boolean {
    if (terms.length < this.#window) return true;
    let chunks = 0;
    for (let i = terms.length - this.#window; i < terms.length; i++) {
      const t = terms[i] as GuardTerm;
      chunks += t.lastChunk - t.firstChunk + 1;
    }
    const average = chunks / this.#window;
    if (average < (this.#open ? this.#low : this.#high)) {
      if (rangeChunks() > average) return true;
      this.#open = false;
      return false;
    }
    this.#open = true;
    return true;
  }
}
