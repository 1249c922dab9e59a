import type { CommitOp } from "./apply-commit.js";
import type { RequestContext } from "./emulator-state.js";
import { gitBlobSha1, lfsPointerInfo } from "./git-objects.js";
import { HubError } from "./hub-error.js";
import { ndjsonLines } from "./ndjson-lines.js";
import { bodyChunks } from "./read-body.js";
import { validateRepoPath } from "./repo-paths.js";

/** What preupload's `sample` holds at most: the binary test looks at no more. */
const PREUPLOAD_SAMPLE_BYTES = 512;

export interface ParsedCommit {
  readonly summary: string;
  readonly description: string;
  readonly parentCommit: string | undefined;
  readonly ops: CommitOp[];
}

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

function bad(code: string, message: string, status = 400): HubError {
  return new HubError(status, code, message);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad("InvalidNdjson", `${where}: "value" must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Parses and validates a commit's NDJSON body line by line (hub-protocol.md §6). Regular file
 * contents are written to the object store as they arrive; nothing touches the repo until the
 * whole body has been validated.
 */
export async function parseCommitBody(ctx: RequestContext): Promise<ParsedCommit> {
  const { config, objects } = ctx.state;
  const maxLine = Math.ceil((config.regularMaxBytes * 4) / 3) + 64 * 1024;
  let total = 0;
  const onBytes = (n: number) => {
    ctx.bytesIn += n;
    total += n;
    if (total > config.commitBodyMaxBytes) {
      throw bad(
        "PayloadTooLarge",
        `Commit body is larger than ${config.commitBodyMaxBytes} bytes; split the commit.`,
        413,
      );
    }
  };
  let header: ParsedCommit | undefined;
  const ops: CommitOp[] = [];
  let lineNo = 0;
  for await (const raw of ndjsonLines(bodyChunks(ctx), maxLine, onBytes)) {
    lineNo++;
    const text = raw.trim();
    if (text === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw bad("InvalidNdjson", `Line ${lineNo} of the commit body is not valid JSON.`);
    }
    const line = record(parsed, `Line ${lineNo}`);
    const where = `Line ${lineNo} (${String(line.key)})`;
    const value = record(line.value, where);
    if (header === undefined) {
      if (line.key !== "header")
        throw bad(
          "HeaderNotFirst",
          `The first line of a commit must be the header; line ${lineNo} is ${JSON.stringify(line.key)}.`,
        );
      header = parseHeader(value);
      continue;
    }
    switch (line.key) {
      case "header":
        throw bad("HeaderNotFirst", `Line ${lineNo}: only one header line is allowed, and it comes first.`);
      case "file": {
        const path = validateRepoPath(value.path, `${where} path`);
        if (value.encoding !== undefined && value.encoding !== "base64") {
          throw bad("BadRequest", `${where}: encoding must be "base64" for ${path}.`);
        }
        const content = value.content;
        if (typeof content !== "string" || content.length % 4 !== 0 || !BASE64_RE.test(content)) {
          throw bad("InvalidBase64", `${where}: content of ${path} is not valid base64.`);
        }
        const bytes = Buffer.from(content, "base64");
        if (bytes.length > config.regularMaxBytes) {
          throw bad(
            "FileTooLarge",
            `Your push was rejected because it contains files larger than ${config.regularMaxBytes} bytes (${path}). Please use https://git-lfs.github.com/ to store large files.`,
          );
        }
        // The same 512-byte sample preupload judged (hub-protocol.md §preupload): a file preupload
        // called regular must not be refused here, or a client that followed the plan cannot commit.
        if (
          bytes.length > config.binaryLfsMinBytes &&
          bytes.subarray(0, PREUPLOAD_SAMPLE_BYTES).includes(0)
        ) {
          throw bad(
            "BinaryFileNotAllowed",
            `Your push was rejected because ${path} is a binary file; store it with LFS.`,
          );
        }
        const sha256 = await objects.putBuffer(bytes);
        ops.push({
          kind: "put",
          entry: { path, kind: "regular", size: bytes.length, sha256, blobOid: gitBlobSha1(bytes) },
        });
        break;
      }
      case "lfsFile": {
        const path = validateRepoPath(value.path, `${where} path`);
        if (value.algo !== undefined && value.algo !== "sha256")
          throw bad("BadRequest", `${where}: algo must be "sha256".`);
        const oid = value.oid;
        if (typeof oid !== "string" || !SHA256_RE.test(oid))
          throw bad("BadRequest", `${where}: oid of ${path} must be a sha256 hex.`);
        if (oid === EMPTY_SHA256 && (value.size === undefined || value.size === 0)) {
          // The Hub stores an empty file as a regular file, never LFS, whatever .gitattributes says.
          const empty = Buffer.alloc(0);
          ops.push({
            kind: "put",
            entry: { path, kind: "regular", size: 0, sha256: oid, blobOid: gitBlobSha1(empty) },
          });
          break;
        }
        const stored = objects.objectSize(oid);
        if (stored === undefined) {
          throw bad(
            "LfsObjectNotFound",
            `LFS object ${oid} for ${path} was never uploaded: upload it (LFS batch) before committing.`,
          );
        }
        if (value.size !== undefined && value.size !== stored) {
          throw bad(
            "LfsSizeMismatch",
            `${where}: size ${String(value.size)} of ${path} does not match the uploaded object (${stored} bytes).`,
          );
        }
        const { oid: blobOid } = lfsPointerInfo(oid, stored);
        ops.push({ kind: "put", entry: { path, kind: "lfs", size: stored, sha256: oid, blobOid } });
        break;
      }
      case "deletedFile":
        ops.push({ kind: "delete", path: validateRepoPath(value.path, `${where} path`) });
        break;
      case "deletedFolder": {
        const path = typeof value.path === "string" ? value.path.replace(/\/+$/, "") : value.path;
        ops.push({ kind: "deleteFolder", path: validateRepoPath(path, `${where} path`) });
        break;
      }
      default:
        throw bad(
          "UnknownOperation",
          `${where}: unknown key ${JSON.stringify(line.key)}; expected header, file, lfsFile, deletedFile or deletedFolder.`,
        );
    }
  }
  if (header === undefined)
    throw bad("HeaderNotFirst", "The commit body is empty: it needs a header line first.");
  objects.flushStaged();
  return { ...header, ops };
}

function parseHeader(value: Record<string, unknown>): ParsedCommit {
  const { summary, description, parentCommit } = value;
  if (typeof summary !== "string" || summary.trim() === "") {
    throw bad("EmptySummary", "The commit header needs a non-empty summary.");
  }
  if (description !== undefined && typeof description !== "string")
    throw bad("BadRequest", "header.description must be a string.");
  if (
    parentCommit !== undefined &&
    (typeof parentCommit !== "string" || !/^[0-9a-fA-F]{5,40}$/.test(parentCommit))
  ) {
    throw bad("BadRequest", "header.parentCommit must be 5 to 40 hex characters.");
  }
  return { summary, description: description ?? "", parentCommit, ops: [] };
}
