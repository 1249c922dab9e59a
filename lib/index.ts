/**
 * hubpush as a library: the public entry point (package.json `exports`). Everything a program needs
 * is exported here; nothing else of the package is a public API. docs/library.md shows each export.
 */
export { ERROR_CODES, type ErrorCode, isErrorCode } from "../common/error-codes.js";
export { HubpushError, type HubpushErrorOptions } from "../common/hubpush-error.js";
export type { CountJson, JobStatusJson } from "../daemon/job-status-json.js";
export { type EmulatorOptions, type RunningEmulator, startEmulator } from "../emulator/start-emulator.js";
export type { EventRecord, RepoType } from "../storage/journal.js";
export {
  type AddUploadInfo,
  type CommitOperation,
  CommitOperationAdd,
  CommitOperationCopy,
  CommitOperationDelete,
} from "./commit-operations.js";
export { CommitScheduler, type CommitSchedulerOptions } from "./commit-scheduler.js";
export { type ConnectOptions, connect, type DaemonAddOptions, DaemonConnection } from "./connect.js";
export { type CreateCommitOptions, type CreateCommitResult, createCommit } from "./create-commit.js";
export { DaemonJob, type DaemonJobResult, type JobEvent } from "./daemon-job.js";
export type { HubOptions } from "./library-context.js";
export {
  type CommitTarget,
  type PreuploadLfsFilesOptions,
  preuploadLfsFiles,
} from "./preupload-lfs-files.js";
export type { FileSource } from "./spool.js";
export { type UploadFileOptions, uploadFile } from "./upload-file.js";
export {
  type LongCallOptions,
  type RepoTarget,
  SINGLE_COMMIT_MAX_FILES,
  type UploadFolderOptions,
  uploadFolder,
  uploadLargeFolder,
} from "./upload-folder.js";
export type { CommitInfo, UploadCounts, UploadResult } from "./upload-result.js";
