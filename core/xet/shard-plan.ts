import { HubpushError } from "../../common/hubpush-error.js";
import { SHARD_MAX_BYTES, type Shard, type ShardFile, type ShardXorb, shardSize } from "../../xet/shard.js";

/** Upload shards are sent without footer, so the whole body counts against the 64 MiB (§5.8). */
export const SHARD_BUDGET_BYTES = SHARD_MAX_BYTES;

/**
 * Splits one file version's upload shard so each body stays ≤ `budget` bytes (§5.8: the CAS refuses a
 * shard over 64 MiB; [SPEC] says the client splits). The file's record cannot be split, so it goes in
 * the last shard; the CAS entries of the xorbs it built fill shards before it, in build order. Every
 * xorb is stored before the first of them is posted (§6.1), so any order of posting is accepted; the
 * caller posts them in this order and records the file only after the last.
 *
 * Deterministic: the same file record and xorbs give the same shards, so a re-run after a crash
 * between two shards re-posts the same bodies (the CAS answers `result: 0` to those it has).
 * Fits in one shard — nearly always — gives exactly the one shard an unsplit upload would send.
 */
export function planShards(
  file: ShardFile,
  xorbs: readonly ShardXorb[],
  budget = SHARD_BUDGET_BYTES,
): Shard[] {
  const base = shardSize({ files: [], xorbs: [] });
  const fileBytes = shardSize({ files: [file], xorbs: [] }) - base;
  if (base + fileBytes > budget) {
    throw new HubpushError(
      "ERR_XET_SHARD_TOO_LARGE",
      `The Xet record of this file (${file.terms.length} terms) needs ${base + fileBytes} bytes, over the CAS's shard limit of ${budget}; it cannot be split. Upload it with --transfer lfs.`,
    );
  }
  const groups: ShardXorb[][] = [];
  let current: ShardXorb[] = [];
  let size = base;
  for (const xorb of xorbs) {
    const bytes = shardSize({ files: [], xorbs: [xorb] }) - base;
    if (base + bytes > budget) {
      throw new HubpushError(
        "ERR_XET_SHARD_TOO_LARGE",
        `The CAS entry of one xorb (${xorb.chunks.length} chunks) needs ${base + bytes} bytes, over the shard budget of ${budget}.`,
      );
    }
    if (size + bytes > budget && current.length > 0) {
      groups.push(current);
      current = [];
      size = base;
    }
    current.push(xorb);
    size += bytes;
  }
  const casOnly = (group: ShardXorb[]): Shard => ({ files: [], xorbs: group });
  if (size + fileBytes <= budget) return [...groups.map(casOnly), { files: [file], xorbs: current }];
  return [...groups, current].map(casOnly).concat({ files: [file], xorbs: [] });
}
