import type { BigIntStats } from "node:fs";
import type { FileStat } from "../../storage/journal.js";

/** The journal's view of a stat: nanosecond times and the inode as decimal strings (beyond 2^53). */
export function toFileStat(st: BigIntStats): FileStat {
  return {
    size: Number(st.size),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    inode: st.ino.toString(),
  };
}
