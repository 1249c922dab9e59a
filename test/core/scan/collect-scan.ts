/** Test helper: runs a whole scan and indexes what it yielded. */

import { type ScanEntry, type ScanOptions, scanFolder } from "../../../core/scan/scan-folder.js";
import type { ScannedFile } from "../../../storage/journal.js";

export interface CollectedScan {
  readonly files: Map<string, ScannedFile>;
  readonly skipped: Map<string, Extract<ScanEntry, { kind: "skipped" }>>;
  readonly warnings: Map<string, string>;
  /** Sorted paths of the files, for t.same. */
  readonly paths: string[];
}

export async function collectScan(folder: string, options: ScanOptions = {}): Promise<CollectedScan> {
  const files = new Map<string, ScannedFile>();
  const skipped = new Map<string, Extract<ScanEntry, { kind: "skipped" }>>();
  const warnings = new Map<string, string>();
  for await (const entry of scanFolder(folder, options)) {
    if (entry.kind === "file") files.set(entry.file.path, entry.file);
    else if (entry.kind === "warning") warnings.set(entry.path, entry.message);
    else skipped.set(entry.path, entry);
  }
  return { files, skipped, warnings, paths: [...files.keys()].sort() };
}
