import { HubpushError } from "../common/hubpush-error.js";
import { normalizePathInRepo } from "../core/job-input.js";
import { type FileSource, isFileSource } from "./spool.js";

/** What preuploadLfsFiles / createCommit learned about an addition (kept on the operation). */
export interface AddUploadInfo {
  readonly sha256: string;
  /** git blob sha1; null over 10 MiB (such files can only be LFS). */
  readonly sha1: string | null;
  readonly size: number;
  /** Base64 of the first ≤ 512 bytes, for the Hub's preupload. */
  readonly sample: string;
  /** Where the bytes are (the given path, or the spool file of bytes/streams). */
  readonly localPath: string;
  /** How the Hub wants this file; null before preupload. */
  readonly uploadMode: "regular" | "lfs" | null;
  /** The Hub said to ignore the path (its own ignore rules): the commit leaves it out. */
  readonly shouldIgnore: boolean;
  /** The LFS object is stored on the Hub: createCommit only references it. */
  readonly uploaded: boolean;
}

/** Adds (or replaces) a file: `pathOrFileobj` is a path, bytes or a readable stream. */
export class CommitOperationAdd {
  readonly kind = "add" as const;
  readonly pathInRepo: string;
  readonly pathOrFileobj: FileSource;
  /** Filled in by preuploadLfsFiles / createCommit; read-only for callers. */
  uploadInfo: AddUploadInfo | null = null;

  constructor(options: { readonly pathInRepo: string; readonly pathOrFileobj: FileSource }) {
    const raw = options as unknown as Record<string, unknown>;
    this.pathInRepo = filePath("CommitOperationAdd", raw.pathInRepo);
    if (!isFileSource(raw.pathOrFileobj) || raw.pathOrFileobj === "") {
      throw usage("CommitOperationAdd", "pathOrFileobj", "a path, a Buffer/Uint8Array or a readable stream");
    }
    this.pathOrFileobj = raw.pathOrFileobj;
  }
}

/** Deletes a file, or a folder (recursively) when `isFolder` is true or the path ends with "/". */
export class CommitOperationDelete {
  readonly kind = "delete" as const;
  readonly pathInRepo: string;
  readonly isFolder: boolean;

  constructor(options: { readonly pathInRepo: string; readonly isFolder?: boolean }) {
    const raw = options as unknown as Record<string, unknown>;
    if (typeof raw.pathInRepo !== "string") throw usage("CommitOperationDelete", "pathInRepo", "a string");
    if (raw.isFolder !== undefined && typeof raw.isFolder !== "boolean") {
      throw usage("CommitOperationDelete", "isFolder", "true or false");
    }
    this.isFolder = raw.isFolder === true || raw.pathInRepo.endsWith("/");
    this.pathInRepo = filePath("CommitOperationDelete", raw.pathInRepo);
  }
}

/**
 * Copies an LFS file already in the repo to another path, by its oid: nothing is uploaded again.
 * `srcRevision` defaults to the commit's revision. Regular (non-LFS) files cannot be copied this way.
 */
export class CommitOperationCopy {
  readonly kind = "copy" as const;
  readonly srcPathInRepo: string;
  readonly pathInRepo: string;
  readonly srcRevision: string | undefined;

  constructor(options: {
    readonly srcPathInRepo: string;
    readonly pathInRepo: string;
    readonly srcRevision?: string;
  }) {
    const raw = options as unknown as Record<string, unknown>;
    this.srcPathInRepo = filePath("CommitOperationCopy", raw.srcPathInRepo, "srcPathInRepo");
    this.pathInRepo = filePath("CommitOperationCopy", raw.pathInRepo);
    if (raw.srcRevision !== undefined && typeof raw.srcRevision !== "string") {
      throw usage("CommitOperationCopy", "srcRevision", "a string");
    }
    this.srcRevision = raw.srcRevision;
  }
}

export type CommitOperation = CommitOperationAdd | CommitOperationDelete | CommitOperationCopy;

/** Checks the list: real operation objects, and no path twice (refused before any request). */
export function checkOperations(fn: string, value: unknown): CommitOperation[] {
  if (!Array.isArray(value) || value.length === 0)
    throw usage(fn, "operations", "a non-empty list of operations");
  const seen = new Set<string>();
  for (const op of value) {
    if (
      !(
        op instanceof CommitOperationAdd ||
        op instanceof CommitOperationDelete ||
        op instanceof CommitOperationCopy
      )
    ) {
      throw usage(
        fn,
        "operations",
        "a list of CommitOperationAdd, CommitOperationDelete or CommitOperationCopy",
      );
    }
    if (seen.has(op.pathInRepo)) {
      throw new HubpushError(
        "ERR_USAGE",
        `${fn}(): the path ${op.pathInRepo} appears twice in \`operations\`; give each path once`,
        { details: { option: "operations", path: op.pathInRepo } },
      );
    }
    seen.add(op.pathInRepo);
  }
  return value as CommitOperation[];
}

function filePath(owner: string, value: unknown, name = "pathInRepo"): string {
  if (typeof value !== "string") throw usage(owner, name, "a string");
  const normalized = normalizePathInRepo(value);
  if (normalized === "") throw usage(owner, name, "a path inside the repo, not its root");
  return normalized;
}

function usage(owner: string, name: string, expected: string): HubpushError {
  return new HubpushError("ERR_USAGE", `${owner}: option \`${name}\` must be ${expected}`, {
    details: { option: name },
  });
}
