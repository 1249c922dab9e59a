import { HubpushError } from "../../common/hubpush-error.js";

/** Classifies a failure to open or read a local file: gone → vanished, otherwise unreadable (permanent). */
export function localReadError(err: unknown, displayPath: string): HubpushError {
  if (err instanceof HubpushError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new HubpushError("ERR_FILE_VANISHED", `${displayPath} was deleted before it could be uploaded`, {
      cause: err,
    });
  }
  return new HubpushError(
    "ERR_FILE_UNREADABLE",
    `cannot read ${displayPath} (${code ?? (err as Error).message}): fix its permissions, then run \`hubpush retry\``,
    { cause: err },
  );
}
