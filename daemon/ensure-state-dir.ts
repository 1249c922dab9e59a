import { chmodSync, mkdirSync, statSync } from "node:fs";
import { HubpushError } from "../common/hubpush-error.js";

/**
 * Creates `dir` (and parents) with mode 0700, or checks an existing one: it must be a directory
 * owned by this user. Group/other permission bits are removed (the 0700 directory is what keeps
 * other users away from the socket, since the control API cannot see the caller's uid). Returns
 * whether the mode had to be tightened, so the caller can log it.
 */
export function ensureStateDir(dir: string): { tightened: boolean; previousMode: number } {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new HubpushError(
      "ERR_STATE_DIR",
      `cannot create the state directory ${dir} (${(err as NodeJS.ErrnoException).code ?? "error"}): check the permissions of its parent, or set HUBPUSH_HOME to another directory`,
      { cause: err, details: { dir } },
    );
  }
  const stat = statSync(dir);
  if (!stat.isDirectory()) {
    throw new HubpushError(
      "ERR_STATE_DIR",
      `the state directory ${dir} exists but is not a directory: remove it, or set HUBPUSH_HOME to another directory`,
      { details: { dir } },
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new HubpushError(
      "ERR_STATE_DIR",
      `the state directory ${dir} belongs to uid ${stat.uid}, not to you (uid ${uid}): use your own directory with HUBPUSH_HOME`,
      { details: { dir, owner: stat.uid } },
    );
  }
  const previousMode = stat.mode & 0o777;
  if ((previousMode & 0o077) === 0) return { tightened: false, previousMode };
  try {
    chmodSync(dir, 0o700);
  } catch (err) {
    throw new HubpushError(
      "ERR_STATE_DIR",
      `the state directory ${dir} is open to other users (mode ${previousMode.toString(8)}) and cannot be changed: run \`chmod 700 ${dir}\``,
      { cause: err, details: { dir } },
    );
  }
  return { tightened: true, previousMode };
}
