import type { FileHashes, FileStat } from "../../storage/journal.js";

export type HashFailureCode =
  | "ERR_FILE_VANISHED"
  | "ERR_FILE_UNREADABLE"
  | "ERR_FILE_CHANGED"
  | "ERR_FILE_NOT_REGULAR";

export type HashOutcome =
  | {
      ok: true;
      hashes: FileHashes;
      statBefore: FileStat;
      statAfter: FileStat;
      bytesRead: number;
      /** The bytes hashed, when HashFileOptions.keepMaxBytes asked for them (see KeptContent). */
      content?: Uint8Array;
    }
  | { ok: false; code: HashFailureCode; message: string; retryable: boolean };
