/**
 * The catalogue of stable error codes: each code's CLI exit code, its HTTP status on the control
 * API and a one-line summary. docs/errors.md lists the same table; keep them in step.
 */
export const EXIT = {
  ok: 0,
  /** The job finished but some files failed, or an unexpected error. */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** Bad input: folder, repo id, revision, path. */
  input: 3,
  /** Authentication or permission: the job is blocked until the token is fixed. */
  auth: 4,
  /** The daemon is not running. */
  daemonDown: 5,
  /** The journal cannot be opened or written. */
  journal: 6,
  /** The Hub or network stayed unreachable / answered with a permanent error. */
  hub: 7,
  /** Interrupted by a signal before finishing (the journal keeps the progress). */
  interrupted: 130,
} as const;

export interface ErrorCodeInfo {
  readonly exitCode: number;
  readonly httpStatus: number;
  readonly summary: string;
}

export const ERROR_CODES = {
  ERR_USAGE: { exitCode: EXIT.usage, httpStatus: 400, summary: "the command line is not valid" },
  ERR_INTERNAL: { exitCode: EXIT.failure, httpStatus: 500, summary: "an unexpected internal error" },
  ERR_FOLDER_NOT_FOUND: {
    exitCode: EXIT.input,
    httpStatus: 400,
    summary: "the folder or file to upload does not exist",
  },
  ERR_FOLDER_NOT_DIRECTORY: { exitCode: EXIT.input, httpStatus: 400, summary: "the path is not a directory" },
  ERR_FOLDER_UNREADABLE: { exitCode: EXIT.input, httpStatus: 400, summary: "the folder cannot be read" },
  ERR_FOLDER_EMPTIED: {
    exitCode: EXIT.input,
    httpStatus: 409,
    summary: "a --delete folder came back empty (unmounted?)",
  },
  ERR_FILE_UNREADABLE: { exitCode: EXIT.failure, httpStatus: 500, summary: "a file cannot be read" },
  ERR_FILE_VANISHED: { exitCode: EXIT.failure, httpStatus: 500, summary: "a file was deleted before upload" },
  ERR_FILE_CHANGED: { exitCode: EXIT.failure, httpStatus: 500, summary: "a file changed while being read" },
  ERR_FILE_TOO_LARGE: {
    exitCode: EXIT.failure,
    httpStatus: 400,
    summary: "a file is over the Hub's size limit",
  },
  ERR_FILE_NOT_REGULAR: {
    exitCode: EXIT.failure,
    httpStatus: 400,
    summary: "not a regular file (FIFO, socket, device)",
  },
  ERR_SYMLINK_ESCAPES: {
    exitCode: EXIT.failure,
    httpStatus: 400,
    summary: "a symlink points outside the folder",
  },
  ERR_SYMLINK_LOOP: { exitCode: EXIT.failure, httpStatus: 400, summary: "a symlink loops or is broken" },
  ERR_PATH_INVALID: { exitCode: EXIT.input, httpStatus: 400, summary: "a path cannot be used in a Hub repo" },
  ERR_JOURNAL_FROM_FUTURE: {
    exitCode: EXIT.journal,
    httpStatus: 500,
    summary: "the journal was written by a newer hubpush",
  },
  ERR_JOURNAL_CORRUPT: { exitCode: EXIT.journal, httpStatus: 500, summary: "the journal file is damaged" },
  ERR_JOURNAL_READONLY: { exitCode: EXIT.journal, httpStatus: 500, summary: "the journal cannot be written" },
  ERR_JOURNAL_FULL: {
    exitCode: EXIT.journal,
    httpStatus: 507,
    summary: "the disk under the journal is full",
  },
  ERR_JOURNAL_BUSY: {
    exitCode: EXIT.journal,
    httpStatus: 503,
    summary: "the journal is locked by another process",
  },
  ERR_JOURNAL_OPEN: { exitCode: EXIT.journal, httpStatus: 500, summary: "the journal cannot be opened" },
  ERR_HUB_UNAUTHORIZED: { exitCode: EXIT.auth, httpStatus: 401, summary: "the Hub refused the token" },
  ERR_HUB_FORBIDDEN: {
    exitCode: EXIT.auth,
    httpStatus: 403,
    summary: "the token may not write to this repo",
  },
  ERR_HUB_REPO_NOT_FOUND: {
    exitCode: EXIT.hub,
    httpStatus: 404,
    summary: "the repo does not exist or is not visible",
  },
  ERR_HUB_REVISION_NOT_FOUND: {
    exitCode: EXIT.hub,
    httpStatus: 404,
    summary: "the branch or revision does not exist",
  },
  ERR_HUB_ENTRY_NOT_FOUND: {
    exitCode: EXIT.hub,
    httpStatus: 404,
    summary: "a path does not exist in the repo",
  },
  ERR_HUB_BAD_REQUEST: { exitCode: EXIT.hub, httpStatus: 400, summary: "the Hub rejected the request" },
  ERR_HUB_CONFLICT: { exitCode: EXIT.hub, httpStatus: 409, summary: "the Hub reported a conflict" },
  ERR_HUB_PAYLOAD_TOO_LARGE: {
    exitCode: EXIT.hub,
    httpStatus: 413,
    summary: "the request was too large for the Hub",
  },
  ERR_HUB_RATE_LIMITED: { exitCode: EXIT.hub, httpStatus: 429, summary: "the Hub asked to slow down" },
  ERR_HUB_SERVER: { exitCode: EXIT.hub, httpStatus: 502, summary: "the Hub answered with a server error" },
  ERR_HUB_NETWORK: { exitCode: EXIT.hub, httpStatus: 502, summary: "the Hub could not be reached" },
  ERR_HUB_TIMEOUT: { exitCode: EXIT.hub, httpStatus: 504, summary: "the Hub did not answer in time" },
  ERR_HUB_PROTOCOL: { exitCode: EXIT.hub, httpStatus: 502, summary: "the Hub's answer was malformed" },
  ERR_HUB_LFS_OBJECT: { exitCode: EXIT.hub, httpStatus: 422, summary: "the Hub refused one LFS object" },
  ERR_HUB_UPLOAD_URL_EXPIRED: { exitCode: EXIT.hub, httpStatus: 403, summary: "an upload URL expired" },
  ERR_TOKEN_MISSING: { exitCode: EXIT.auth, httpStatus: 401, summary: "no Hub token was found" },
  ERR_TOKEN_INVALID: { exitCode: EXIT.auth, httpStatus: 400, summary: "the token is not a Hub token" },
  ERR_REPO_ID_INVALID: { exitCode: EXIT.input, httpStatus: 400, summary: "the repo id is not valid" },
  ERR_REVISION_INVALID: { exitCode: EXIT.input, httpStatus: 400, summary: "the revision is not valid" },
  ERR_REPO_TYPE_INVALID: { exitCode: EXIT.input, httpStatus: 400, summary: "the repo type is not valid" },
  ERR_PATH_IN_REPO_INVALID: { exitCode: EXIT.input, httpStatus: 400, summary: "--path-in-repo is not valid" },
  ERR_ENDPOINT_INVALID: { exitCode: EXIT.input, httpStatus: 400, summary: "the endpoint URL is not valid" },
  ERR_JOB_NOT_FOUND: { exitCode: EXIT.input, httpStatus: 404, summary: "no such job" },
  ERR_JOB_FAILED: { exitCode: EXIT.failure, httpStatus: 500, summary: "the job finished with failed files" },
  ERR_JOB_BLOCKED: { exitCode: EXIT.auth, httpStatus: 409, summary: "the job is blocked" },
  ERR_JOB_STATE: {
    exitCode: EXIT.input,
    httpStatus: 409,
    summary: "the job is not in a state that allows this",
  },
  ERR_DAEMON_NOT_RUNNING: {
    exitCode: EXIT.daemonDown,
    httpStatus: 503,
    summary: "the daemon is not running",
  },
  ERR_DAEMON_RUNNING: {
    exitCode: EXIT.failure,
    httpStatus: 409,
    summary: "another daemon already runs here",
  },
  ERR_DAEMON_START: { exitCode: EXIT.failure, httpStatus: 500, summary: "the daemon did not start" },
  ERR_SOCKET_PATH_TOO_LONG: { exitCode: EXIT.input, httpStatus: 500, summary: "the socket path is too long" },
  ERR_STATE_DIR: { exitCode: EXIT.journal, httpStatus: 500, summary: "the state directory cannot be used" },
  ERR_CONTROL_BAD_REQUEST: {
    exitCode: EXIT.usage,
    httpStatus: 400,
    summary: "the control request is malformed",
  },
  ERR_CONTROL_NOT_FOUND: { exitCode: EXIT.usage, httpStatus: 404, summary: "no such control route" },
  ERR_CONTROL_BODY_TOO_LARGE: {
    exitCode: EXIT.usage,
    httpStatus: 413,
    summary: "the control request body is too large",
  },
  ERR_CONTROL_FORBIDDEN: {
    exitCode: EXIT.auth,
    httpStatus: 403,
    summary: "the caller may not use this daemon",
  },
  ERR_UI_UNAUTHORIZED: {
    exitCode: EXIT.auth,
    httpStatus: 401,
    summary: "the status page's token is missing, wrong or old",
  },
  ERR_UI_START: { exitCode: EXIT.failure, httpStatus: 409, summary: "the status page cannot be turned on" },
  ERR_INTERRUPTED: { exitCode: EXIT.interrupted, httpStatus: 503, summary: "interrupted; progress is kept" },
  ERR_JOURNAL_IO: {
    exitCode: EXIT.journal,
    httpStatus: 500,
    summary: "a disk error occurred while reading or writing the journal",
  },
  ERR_VISIBILITY_CONFLICT: {
    exitCode: EXIT.input,
    httpStatus: 400,
    summary: "--private and --public were both given",
  },
  ERR_SPACE_SDK_INVALID: { exitCode: EXIT.input, httpStatus: 400, summary: "--space-sdk is not valid" },
  ERR_HUB_REDIRECT: {
    exitCode: EXIT.hub,
    httpStatus: 502,
    summary: "the Hub redirected a call where hubpush does not follow",
  },
  ERR_PATH_NOT_UPLOADABLE: {
    exitCode: EXIT.input,
    httpStatus: 400,
    summary: "the path to upload is neither a folder nor a regular file",
  },
  ERR_FOLDER_ONLY_OPTION: {
    exitCode: EXIT.usage,
    httpStatus: 400,
    summary: "an option that only applies to a folder was given with a single file",
  },
  ERR_JOB_KIND_CONFLICT: {
    exitCode: EXIT.input,
    httpStatus: 409,
    summary:
      "the job for this path and target was made for a folder and the path is a file now (or the reverse)",
  },
  ERR_CREATE_PR_REVISION: {
    exitCode: EXIT.input,
    httpStatus: 400,
    summary: "--create-pr was given with a revision a pull request cannot be opened from",
  },
  ERR_VERIFY_MISMATCH: {
    exitCode: EXIT.failure,
    httpStatus: 409,
    summary: "verify: the remote branch does not hold what the folder holds",
  },
  ERR_XET_UNAVAILABLE: {
    exitCode: EXIT.hub,
    httpStatus: 409,
    summary: "--transfer xet was asked but the Hub does not offer Xet for this repo",
  },
  ERR_XET_TOKEN_REFUSED: {
    exitCode: EXIT.auth,
    httpStatus: 403,
    summary: "the Hub or the CAS refused a Xet write token",
  },
  ERR_XET_TOKEN_EXPIRED: {
    exitCode: EXIT.hub,
    httpStatus: 401,
    summary: "the Xet CAS refused an expired token",
  },
  ERR_XET_CAS_REJECTED: {
    exitCode: EXIT.hub,
    httpStatus: 502,
    summary: "the Xet CAS refused a xorb, shard or query",
  },
  ERR_XET_SHARD_REFUSED: {
    exitCode: EXIT.hub,
    httpStatus: 502,
    summary: "the Xet CAS kept refusing a file's shard after its missing xorbs were sent again",
  },
  ERR_XET_SHARD_TOO_LARGE: {
    exitCode: EXIT.hub,
    httpStatus: 502,
    summary: "a file's Xet record does not fit in one 64 MiB shard and cannot be split",
  },
  ERR_XET_SPOOL_FAILED: {
    exitCode: EXIT.failure,
    httpStatus: 500,
    summary: "a Xet xorb could not be spooled to the data directory (disk full, permissions)",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}
