import type { BigIntStats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { basename, resolve, sep } from "node:path";
import { HubpushError } from "../../common/hubpush-error.js";
import { toFileStat } from "../hash/to-file-stat.js";
import type { ScanEntry } from "./scan-entry.js";

/**
 * The scan of a one-file job: the file itself, as one entry named after it (a symlink is followed,
 * as the folder scan follows links to files). The path going away or becoming something else is
 * the one-file form of a folder that went away: it throws, the job stops, and nothing is marked
 * vanished. hubpush's own state (the journal, under excludeAbsolute) is never uploaded.
 */
export async function* scanFile(
  file: string,
  options: { excludeAbsolute?: readonly string[] } = {},
): AsyncGenerator<ScanEntry> {
  const details = { path: file };
  let st: BigIntStats;
  let real: string;
  try {
    real = await realpath(file);
    st = await stat(real, { bigint: true });
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === "EACCES" || errno === "EPERM") {
      throw new HubpushError(
        "ERR_FOLDER_UNREADABLE",
        `cannot reach ${file} (permission denied on a parent folder); grant execute permission on its parents or run hubpush as their owner`,
        { details, cause: err },
      );
    }
    throw new HubpushError(
      "ERR_FOLDER_NOT_FOUND",
      `${file} does not exist any more${errno === "ELOOP" ? " (its path loops through symlinks)" : ""}: put the file back and run \`hubpush retry JOB\``,
      { details, cause: err },
    );
  }
  if (!st.isFile()) {
    throw new HubpushError(
      "ERR_PATH_NOT_UPLOADABLE",
      `${file} was a regular file when the job was added and is not one now; put the file back, or add the path again as a new job`,
      { details },
    );
  }
  for (const given of options.excludeAbsolute ?? []) {
    const hidden = resolve(given);
    const hiddenReal = await realpath(hidden).catch(() => hidden);
    const inside = (p: string, dir: string): boolean => p === dir || p.startsWith(dir + sep);
    if (inside(real, hidden) || inside(real, hiddenReal) || inside(file, hidden)) {
      throw new HubpushError(
        "ERR_PATH_NOT_UPLOADABLE",
        `${file} is part of hubpush's own state (${hidden}) and is never uploaded`,
        { details },
      );
    }
  }
  yield { kind: "file", file: { path: basename(file), ...toFileStat(st) } };
}
