/** Test helper: runs a whole scan and indexes what it yielded. */

import { type ScanEntry, type ScanOptions, scanFolder } from "../../../core/scan/scan-folder.js";
import type { ScannedFile } from "../../../storage/journal.js";

export interface CollectedScan {
  readonly files: Map<string, ScannedFile>;
  readonly skipped: Map<string, Extract<ScanEntry, { kind: "skipped" }>>;
  /** Sorted paths of the files, for t.same. */
  readonly paths: string[];
}

export async function collectScan(folder: string, options: ScanOptions = {}): Promise<CollectedScan> {
  const files = new Map<string, ScannedFile>();
  const skipped = new Map<string, Extract<ScanEntry, { kind: "skipped" }>>();
  for await (const entry of scanFolder(folder, options)) {
    if (entry.kind === "file") files.set(entry.file.path, entry.file);
    else skipped.set(entry.path, entry);
  }
  return { files, skipped, paths: [...files.keys()].sort() };
}
