import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { HubpushError } from "../../common/hubpush-error.js";

/**
 * Validates the folder to upload before anything is recorded: it exists, is a directory and can be
 * listed. Returns its resolved real path (symlinks followed), the root every scanned path is
 * relative to and the boundary symlinks may not escape.
 */
export async function checkFolder(folder: string): Promise<string> {
  const absolute = resolve(folder);
  const details = { path: absolute };
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === "EACCES" || errno === "EPERM") {
      throw new HubpushError(
        "ERR_FOLDER_UNREADABLE",
        `cannot reach folder ${absolute} (permission denied on a parent folder); grant execute permission on its parents or run hubpush as their owner`,
        { details, cause: err },
      );
    }
    throw new HubpushError(
      "ERR_FOLDER_NOT_FOUND",
      `folder ${absolute} does not exist${errno === "ELOOP" ? " (its path loops through symlinks)" : ""}; check the path and try again`,
      { details, cause: err },
    );
  }
  const st = await stat(real).catch((err: unknown) => {
    throw new HubpushError(
      "ERR_FOLDER_NOT_FOUND",
      `folder ${absolute} disappeared; check the path and try again`,
      {
        details,
        cause: err,
      },
    );
  });
  if (!st.isDirectory()) {
    throw new HubpushError(
      "ERR_FOLDER_NOT_DIRECTORY",
      `${absolute} is not a folder; give the path of the folder that holds the files to upload`,
      { details },
    );
  }
  try {
    // Listing needs read permission; stat-ing the entries needs execute (search) permission.
    await access(real, constants.R_OK | constants.X_OK);
  } catch (err) {
    throw new HubpushError(
      "ERR_FOLDER_UNREADABLE",
      `cannot read folder ${absolute} (permission denied); grant read and execute permission (chmod u+rx) or run hubpush as its owner`,
      { details, cause: err },
    );
  }
  return real;
}
