import path from "node:path";
import Database from "better-sqlite3";

/**
 * Xet file hash → the distinct shards (SHA-256 of their bodies) that registered it, from the
 * emulator's durable CAS store: it also counts a shard the emulator registered after its client
 * had gone (killed, or its answer lost), which the access log cannot tie to a file.
 */
export function shardsPerXetFile(emulatorDataDir: string): Map<string, string[]> {
  const db = new Database(path.join(emulatorDataDir, "metadata.sqlite"), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const rows = db.prepare("SELECT shard, file FROM xet_shard_files").all() as Array<{
      shard: string;
      file: string;
    }>;
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.file, [...(out.get(r.file) ?? []), r.shard]);
    return out;
  } finally {
    db.close();
  }
}

/** Files registered by more than one shard content, as "file hash: n shards". */
export function shardConflicts(emulatorDataDir: string): string[] {
  return [...shardsPerXetFile(emulatorDataDir)]
    .filter(([, shards]) => shards.length > 1)
    .map(([file, shards]) => `${file}: ${shards.length} shards`);
}
