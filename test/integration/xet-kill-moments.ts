import { readFileSync } from "node:fs";
import Database from "better-sqlite3";

/** Files of a run: three, 300 MiB in all. */
export const FILES = 3;

export interface AccessLine {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly oid: string | null;
}

export function accessLines(file: string): AccessLine[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as AccessLine);
  } catch {
    return [];
  }
}

export const xorbPosts = (log: readonly AccessLine[]) =>
  log.filter((l) => l.route === "xet-xorb" && l.method === "POST" && l.status === 200 && l.oid !== null);

/** Xet states of the file versions, read from the journal of the running process (WAL: no lock taken). */
export function xetStates(journalPath: string): string[] {
  try {
    const db = new Database(journalPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT state FROM xet_files").all() as Array<{ state: string }>).map(
        (r) => r.state,
      );
    } finally {
      db.close();
    }
  } catch {
    return []; // Not created yet, or a table not migrated yet.
  }
}

export type Moment = "xorbs" | "shard" | "commit";

interface MomentPlan {
  readonly title: string;
  /** Latency that holds the window open while the driver aims at it. */
  readonly faults: string;
  readonly reached: (log: readonly AccessLine[], states: readonly string[]) => boolean;
  /** Checked on the journal and the access log as the kill left them: the kill hit the moment. */
  readonly hit: (log: readonly AccessLine[], states: readonly string[]) => boolean;
}

/** The seed picks the threshold (which xorb, which file) and a jitter inside the window. */
export function planMoment(
  moment: Moment,
  random: () => number,
): MomentPlan & { jitterMs: number; k: number } {
  const pick = (lo: number, hi: number) => Math.floor(lo + random() * (hi - lo + 1));
  const count = (states: readonly string[], s: string) => states.filter((x) => x === s).length;
  if (moment === "xorbs") {
    // Xorbs grow to 64 MiB (spooled, xorb-spool.ts): each file of ~80–120 MiB is 2 xorbs, 6 in
    // 300 MiB; kill after the k-th is stored, before the last ones.
    const k = pick(1, 4);
    return {
      title: `during xorb uploads (after ${k} xorbs stored)`,
      faults: "",
      k,
      jitterMs: pick(0, 100),
      reached: (log) => xorbPosts(log).length >= k,
      hit: (_log, states) => count(states, "shard_registered") + count(states, "committed") < FILES,
    };
  }
  if (moment === "shard") {
    // Every xorb of file version k is stored and journaled; its shard is held by the latency.
    const k = pick(1, FILES);
    return {
      title: `between the last xorb and the shard (of file no. ${k} to get there)`,
      faults: "route=xet-shard,kind=latency,ms=3000",
      k,
      jitterMs: pick(0, 500),
      reached: (_log, states) => count(states, "xorbs_stored") + count(states, "shard_registered") >= k,
      hit: (_log, states) => count(states, "xorbs_stored") >= 1,
    };
  }
  const k = pick(1, FILES);
  return {
    title: `between the shard and the commit (after ${k} shards registered)`,
    faults: "route=commit,kind=latency,ms=4000",
    k,
    jitterMs: pick(0, 500),
    reached: (log) => log.filter((l) => l.route === "xet-shard" && l.status === 200).length >= k,
    hit: (log, states) =>
      count(states, "shard_registered") >= 1 &&
      !log.some((l) => l.route === "commit" && l.status === 200) &&
      count(states, "committed") === 0,
  };
}
