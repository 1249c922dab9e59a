import type { FileStat } from "../../storage/journal.js";
import type { HashOutcome } from "./hash-outcome.js";

/** The first stat field that differs between two stats of one path, or null when they match. */
export function statDifference(a: FileStat, b: FileStat): string | null {
  if (a.inode !== b.inode) return "inode (it was replaced)";
  if (a.size !== b.size) return "size";
  if (a.mtimeNs !== b.mtimeNs) return "modification time";
  if (a.ctimeNs !== b.ctimeNs) return "change time";
  return null;
}

export function changed(path: string, what: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_CHANGED",
    message: `${path} changed while being hashed: ${what}; it will be hashed again once it stops changing`,
    retryable: true,
  };
}

export function vanished(path: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_VANISHED",
    message: `${path} was deleted before it could be hashed; it will not be uploaded unless it reappears`,
    retryable: false,
  };
}

export function notRegular(path: string, what: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_NOT_REGULAR",
    message: `${path} is ${what}, not a regular file; only regular files are uploaded`,
    retryable: false,
  };
}

export function failureFromError(err: unknown, path: string): HashOutcome {
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  switch (errno) {
    case "ENOENT":
    case "ENOTDIR":
      return vanished(path);
    case "EACCES":
    case "EPERM":
    case "EISDIR":
      return {
        ok: false,
        code: "ERR_FILE_UNREADABLE",
        message: `cannot read ${path} (${errno}); fix its permissions (chmod u+r) and run retry`,
        retryable: false,
      };
    case "ELOOP":
      return notRegular(path, "a symlink that loops");
    default:
      // EIO, EMFILE, ENOMEM…: the disk or the process may recover, so try again later.
      return {
        ok: false,
        code: "ERR_FILE_UNREADABLE",
        message: `cannot read ${path}: ${detail}; it will be tried again`,
        retryable: true,
      };
  }
}
