import path from "node:path";
import Database from "better-sqlite3";
import type { AccessLine } from "./access-log.js";

/** Bytes of an upload's shards by section (xet-protocol.md §5.1; every record is 48 bytes). */
export interface ShardSections {
  readonly shards: number;
  readonly header: number;
  /** Per file: header, terms, verification entries, metadata ext; plus the bookend. */
  readonly fileInfo: number;
  readonly files: number;
  readonly terms: number;
  /** Per xorb built by the upload: header and chunk entries; plus the bookend. */
  readonly casInfo: number;
  readonly xorbs: number;
  readonly chunks: number;
  /** What is left: the optional 200-byte footer (§5.5). */
  readonly footer: number;
}

const R = 48;

/**
 * The sections of the shards stored in `lines` (an upload's stretch of the emulator's access log),
 * rebuilt from the emulator's store (its metadata.sqlite): the files each shard registered (terms
 * from `xet_files`) and, as the CAS section, the xorbs the same stretch stored (chunk counts from
 * `xet_xorbs`). The footer is the rest of the bytes received. Assumes every file carries
 * verification entries and a metadata ext, as both clients send for git repos.
 */
export function shardSections(emulatorDataDir: string, lines: readonly AccessLine[]): ShardSections {
  const db = new Database(path.join(emulatorDataDir, "metadata.sqlite"), { readonly: true });
  try {
    const shards = lines.filter((l) => l.route === "xet-shard" && l.status === 200 && l.oid !== null);
    const xorbs = lines.filter((l) => l.route === "xet-xorb" && l.status === 200 && l.oid !== null);
    const fileOf = db.prepare(
      "SELECT f.terms FROM xet_shard_files s JOIN xet_files f ON f.hash = s.file WHERE s.shard = ?",
    );
    const chunksOf = db.prepare("SELECT chunks FROM xet_xorbs WHERE hash = ?");
    let files = 0;
    let terms = 0;
    for (const s of shards) {
      for (const row of fileOf.all(s.oid) as Array<{ terms: string }>) {
        files++;
        terms += (JSON.parse(row.terms) as unknown[]).length;
      }
    }
    let chunks = 0;
    for (const x of xorbs) {
      const row = chunksOf.get(x.oid) as { chunks: string } | undefined;
      chunks += row === undefined ? 0 : (JSON.parse(row.chunks) as unknown[]).length;
    }
    const header = R * shards.length;
    const fileInfo = R * (2 * files + 2 * terms) + R * shards.length;
    const casInfo = R * (xorbs.length + chunks) + R * shards.length;
    const total = shards.reduce((n, l) => n + l.bytesIn, 0);
    return {
      shards: shards.length,
      header,
      fileInfo,
      files,
      terms,
      casInfo,
      xorbs: xorbs.length,
      chunks,
      footer: total - header - fileInfo - casInfo,
    };
  } finally {
    db.close();
  }
}

/** One line: each section's bytes and what it holds. */
export function formatSections(s: ShardSections): string {
  return `header ${s.header} · file info ${s.fileInfo} (${s.files} file, ${s.terms} terms + verification) · CAS info ${s.casInfo} (${s.xorbs} xorbs, ${s.chunks} chunks) · footer ${s.footer}`;
}
