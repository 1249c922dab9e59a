import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";
import { type JobInput, normalizePathInRepo, parseJobInput } from "../core/job-input.js";
import { OptionReader } from "./check-options.js";
import { runLocalJob } from "./run-local-job.js";
import { type FileSource, isFileSource, removeSpool, spoolFolder, spoolSource } from "./spool.js";
import {
  type LongCallOptions,
  optional,
  type RepoTarget,
  readTarget,
  SINGLE_COMMIT_TUNING,
} from "./upload-folder.js";
import type { UploadResult } from "./upload-result.js";

export interface UploadFileOptions extends RepoTarget, LongCallOptions {
  /** A local path, bytes (Buffer/Uint8Array) or a readable stream (any async iterable of bytes). */
  readonly pathOrFileobj: FileSource;
  /** The file's full path in the repo; default the base name of a local path (required for bytes and streams). */
  readonly pathInRepo?: string;
  /** Default "Upload <pathInRepo> with hubpush". */
  readonly commitMessage?: string;
  readonly commitDescription?: string;
}

/**
 * upload_file: one file, one commit, journaled like a folder upload so a call after a crash resumes.
 *
 * A local path is the engine's one-file job. Bytes and streams are put in a spool folder of their
 * own under the state directory ($HUBPUSH_HOME/spool/…, named by the target, so a repeated call
 * finds the same journaled job), written durably before the upload starts (a crash mid-stream
 * leaves nothing to upload), and that folder is uploaded with pathInRepo = the directory part.
 */
export async function uploadFile(raw: UploadFileOptions): Promise<UploadResult> {
  const reader = new OptionReader("uploadFile", raw);
  const source = reader.raw("pathOrFileobj");
  if (!isFileSource(source) || source === "") {
    throw new HubpushError(
      "ERR_USAGE",
      "uploadFile(): option `pathOrFileobj` must be a path, a Buffer/Uint8Array or a readable stream",
      { details: { option: "pathOrFileobj" } },
    );
  }
  const given = reader.string("pathInRepo");
  if (given === undefined && typeof source !== "string") {
    throw new HubpushError(
      "ERR_USAGE",
      "uploadFile(): option `pathInRepo` is required for bytes and streams",
      {
        details: { option: "pathInRepo" },
      },
    );
  }
  const target = normalizePathInRepo(given ?? path.basename(source as string));
  if (target === "") {
    throw new HubpushError(
      "ERR_PATH_IN_REPO_INVALID",
      "uploadFile(): `pathInRepo` must name a file, not the root",
    );
  }
  const placeholder = "/";
  const { input, context, signal, onProgress } = readTarget(reader, placeholder);
  const message = reader.string("commitMessage") ?? `Upload ${target} with hubpush`;
  const description = reader.string("commitDescription");
  const key = JSON.stringify([
    context.endpoint,
    input.repoType ?? "model",
    input.repo,
    input.revision ?? "main",
    target,
  ]);
  if (typeof source === "string") {
    // A local file is the engine's one-file job (its folder names the file, pathInRepo its full
    // path in the repo): the same job `hubpush upload FILE` makes, resumed by a later call.
    const { spec, options } = parseJobInput(
      {
        ...input,
        folder: path.resolve(context.cwd, source),
        pathInRepo: target,
        message,
        ...optional("commitDescription", description),
      } satisfies JobInput,
      { endpoint: context.endpoint, cwd: context.cwd },
    );
    return runLocalJob({ context, spec, options, tuning: SINGLE_COMMIT_TUNING, signal, onProgress });
  }
  // Bytes and streams have no file to resume from: they are written durably into a spool folder
  // of their own in the state directory first, under the base name of their path in the repo.
  const folder = spoolFolder(context.paths.home, key);
  await spoolSource(source, path.join(folder, path.posix.basename(target)), "pathOrFileobj");
  const dir = path.posix.dirname(target);
  const { spec, options } = parseJobInput(
    {
      ...input,
      folder,
      pathInRepo: dir === "." ? "" : dir,
      message,
      ...optional("commitDescription", description),
    } satisfies JobInput,
    { endpoint: context.endpoint, cwd: context.cwd },
  );
  const result = await runLocalJob({
    context,
    spec,
    options,
    tuning: SINGLE_COMMIT_TUNING,
    signal,
    onProgress,
  });
  removeSpool(folder);
  return result;
}
