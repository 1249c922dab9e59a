import type { ErrorCode } from "../../common/error-codes.js";
import type { ScannedFile } from "../../storage/journal.js";

/** What a scan yields for each directory entry it looks at. */
export type ScanEntry =
  /** A regular file, or a symlink to one inside the folder (link's path, target's stat). */
  | { kind: "file"; file: ScannedFile }
  /** Found but not uploaded; the reason says why and what to do. */
  | { kind: "skipped"; path: string; code: ErrorCode; reason: string }
  /** Uploaded, but the user should hear of it (e.g. a folder over the Hub's entries limit). */
  | { kind: "warning"; path: string; message: string };
