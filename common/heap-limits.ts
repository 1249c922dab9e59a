/**
 * Heap bounds of hubpush's processes and threads (issue 16 item 3: peak RSS ≤ 250 MB for any
 * folder). The engine holds no per-file state in memory, so these only make V8 collect before it
 * grows: without them a busy process lets its young and old generations grow far past what it uses.
 *
 * The daemon is spawned with NODE_HEAP_FLAGS; the `hubpush` bin's shebang carries the same flags
 * (`#!/usr/bin/env -S node …`); flags the user gives (NODE_OPTIONS, the daemon's execArgv) come
 * later on the command line and win.
 */
export const MAIN_OLD_SPACE_MB = 192;
export const MAIN_SEMI_SPACE_MB = 8;
export const NODE_HEAP_FLAGS: readonly string[] = Object.freeze([
  `--max-old-space-size=${MAIN_OLD_SPACE_MB}`,
  `--max-semi-space-size=${MAIN_SEMI_SPACE_MB}`,
]);

/** A hash worker reads into one reusable buffer and hashes natively: its JS heap stays small. */
export const HASH_WORKER_LIMITS = Object.freeze({ maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 });
