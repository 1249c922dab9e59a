/**
 * The Hub HTTP API as the engine uses it (protocol: hub-protocol.md). UndiciHubClient implements it.
 * Every method either resolves or rejects with a HubError (code, status, retryable, retryAfterMs).
 */
import type { Readable } from "node:stream";

export type HubRepoType = "model" | "dataset" | "space";

export interface HubRepo {
  readonly type: HubRepoType;
  /** namespace/name */
  readonly id: string;
}

export interface PreuploadFile {
  /** Path in the repo (POSIX, no leading slash). */
  readonly path: string;
  /** Standard base64 of the first ≤ 512 bytes. */
  readonly sample: string;
  readonly size: number;
}

export interface PreuploadAnswer {
  readonly path: string;
  readonly uploadMode: "regular" | "lfs";
  readonly shouldIgnore: boolean;
  /** Remote oid when the path exists at the revision (blob sha1 for regular, sha256 for LFS). */
  readonly oid: string | null;
}

export interface LfsObjectRequest {
  readonly oid: string;
  readonly size: number;
}

export interface LfsVerifyAction {
  readonly href: string;
  readonly header: Readonly<Record<string, string>>;
}

export type LfsBatchAnswer =
  | { readonly kind: "stored"; readonly oid: string; readonly size: number }
  | {
      readonly kind: "basic";
      readonly oid: string;
      readonly size: number;
      readonly uploadUrl: string;
      /** Extra headers to send with the PUT (from actions.upload.header), usually none. */
      readonly header: Readonly<Record<string, string>>;
      readonly expiresAt: number | null;
      readonly verify: LfsVerifyAction | null;
    }
  | {
      readonly kind: "multipart";
      readonly oid: string;
      readonly size: number;
      readonly chunkSize: number;
      /** Part URLs in part order (index 0 = part 1); count = ceil(size / chunkSize), checked. */
      readonly partUrls: readonly string[];
      readonly completionUrl: string;
      readonly expiresAt: number | null;
      readonly verify: LfsVerifyAction | null;
    }
  | {
      /** The Hub answered `transfer: "xet"` (xet-protocol.md §1.1): the object goes to the Xet CAS. */
      readonly kind: "xet";
      readonly oid: string;
      readonly size: number;
      /** GET it with the HF token for a fresh write token (§1.2). */
      readonly refreshUrl: string;
      /** The token the answer carried (X-Xet-* headers), or null when it carried none. */
      readonly token: XetAccessToken | null;
      readonly sessionId: string | null;
    }
  | {
      readonly kind: "error";
      readonly oid: string;
      readonly size: number;
      readonly code: number;
      readonly message: string;
    };

/**
 * Content of an inline file read from disk while the commit body is sent, never held whole
 * (encodeCommitStream). `read()` is called once per attempt to send the body.
 */
export interface StreamedContent {
  readonly size: number;
  /** The bytes in order; throws (ERR_FILE_CHANGED…) when they are not the bytes that were hashed. */
  read(): AsyncIterable<Buffer>;
}

/** A Xet CAS access token (§1.2); the HF token never goes to the CAS, this one does. */
export interface XetAccessToken {
  readonly casUrl: string;
  readonly accessToken: string;
  /** Epoch ms the token expires. */
  readonly expiresAt: number;
}

/**
 * The largest piece of a paced xorb body: the --max-rate bucket holds at least this much (its burst
 * is max(64 KiB, rate / 4), engine-services.ts), so every piece is paced, never charged as a debt.
 */
export const XORB_PACE_BYTES = 64 * 1024;

/** A xorb body read in pieces (e.g. spooled to disk), `length` bytes in all; `pieces()` starts a fresh read. */
export interface XorbBodySource {
  readonly length: number;
  pieces(): AsyncIterable<Uint8Array>;
}

/** The Xet CAS calls (xet-protocol.md §6), all authenticated with a XetAccessToken, never the HF token. */
export interface XetCasCalls {
  /** GET a token route (§1.2) with the HF token; a refusal rejects with the Hub's status classified. */
  writeToken(refreshUrl: string, signal?: AbortSignal): Promise<XetAccessToken>;
  /**
   * POST /v1/xorbs/default/{hash}; true when the CAS inserted it, false when it already had it.
   * With `pace`, the body goes out in pieces of at most XORB_PACE_BYTES, each sent only once
   * `pace(piece length)` resolved (the --max-rate cap), instead of all at once.
   */
  uploadXorb(
    token: XetAccessToken,
    hash: string,
    body: Uint8Array | XorbBodySource,
    signal?: AbortSignal,
    pace?: (bytes: number) => Promise<void>,
  ): Promise<boolean>;
  /** POST /v1/shards. */
  uploadShard(token: XetAccessToken, body: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** GET /v1/chunks/default/{hash}: the dedup shard, or null when the CAS does not know the chunk (404). */
  queryChunk(token: XetAccessToken, chunkHash: string, signal?: AbortSignal): Promise<Uint8Array | null>;
}

export type CommitOperation =
  | {
      readonly kind: "file";
      readonly path: string;
      /** Raw bytes (or bytes read while sending), base64-encoded by the client. */
      readonly content: Buffer | StreamedContent;
    }
  | { readonly kind: "lfsFile"; readonly path: string; readonly oid: string; readonly size: number }
  | { readonly kind: "deletedFile"; readonly path: string }
  | { readonly kind: "deletedFolder"; readonly path: string };

export interface CommitRequest {
  readonly summary: string;
  readonly description?: string;
  readonly parentCommit?: string;
  readonly operations: readonly CommitOperation[];
  /** `?create_pr=1`: the commit opens a pull request from `revision` (a branch) and lands on its refs/pr/N. */
  readonly createPr?: boolean;
}

export interface CommitAnswer {
  readonly commitOid: string;
  readonly commitUrl: string;
  /** With createPr: the pull request's number, from the answer's `pullRequestUrl` (`…/discussions/N`). */
  readonly pullRequest?: { readonly num: number; readonly url: string };
}

/** One discussion or pull request of a repo, as the discussions listing gives it. */
export interface DiscussionSummary {
  readonly num: number;
  readonly title: string;
  readonly isPullRequest: boolean;
  /** open, closed, merged or draft. */
  readonly status: string;
  /** The author's user name, or null when the Hub does not say (a deleted user). */
  readonly author: string | null;
}

export interface PathInfo {
  readonly path: string;
  readonly type: "file" | "directory";
  /** git blob sha1 (of the pointer for LFS files). */
  readonly oid: string;
  readonly size: number;
  /** Present for LFS files: the content's sha256. */
  readonly lfs: { readonly oid: string; readonly size: number } | null;
}

export interface UploadBody {
  /** The bytes, streamed (never a whole file in memory), or a Buffer for a part already read. */
  readonly body: Readable | Buffer | AsyncIterable<Buffer>;
  readonly length: number;
  /**
   * `body` is an async iterable undici pulls as it is: a chunk's memory may be reused once the
   * next is asked for (hub-transport.ts).
   */
  readonly pulled?: boolean;
  readonly header?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface CreateRepoRequest {
  /** Sent only when the user chose: absent lets the Hub apply the namespace's default visibility. */
  readonly private?: boolean;
  /** Required by the Hub for Spaces, never sent for models and datasets. */
  readonly sdk?: string;
  /** A repo that already exists (409 "already exists") is success. */
  readonly existOk: boolean;
  readonly signal?: AbortSignal | undefined;
}

export interface HubClient {
  readonly endpoint: string;
  whoami(signal?: AbortSignal): Promise<{ name: string }>;
  /** existOk: a 409 is success. Returns the repo URL. */
  createRepo(repo: HubRepo, options: CreateRepoRequest): Promise<{ url: string }>;
  /** Head commit of a revision; rejects with ERR_HUB_REPO_NOT_FOUND / ERR_HUB_REVISION_NOT_FOUND. */
  repoInfo(
    repo: HubRepo,
    revision: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; sha: string | null; private: boolean }>;
  /**
   * `POST …/branch/{branch}` without `startingPoint`: the branch starts at the default branch's
   * head, as `hf upload --revision NEW` does. A 409 (it exists already, e.g. a race) is success.
   */
  createBranch(repo: HubRepo, branch: string, signal?: AbortSignal): Promise<void>;
  /** ≤ 100 files per call (rejects more). One answer per requested path, in request order. */
  preupload(
    repo: HubRepo,
    revision: string,
    files: readonly PreuploadFile[],
    options?: { gitIgnore?: string; signal?: AbortSignal; createPr?: boolean },
  ): Promise<PreuploadAnswer[]>;
  /** ≤ 100 objects per call. One answer per requested oid, in request order. */
  lfsBatch(
    repo: HubRepo,
    revision: string,
    objects: readonly LfsObjectRequest[],
    signal?: AbortSignal,
    /** omitRef: send no `ref` (uploads for a PR a create_pr commit will open, hub-protocol.md §4). */
    options?: { omitRef?: boolean; readonly offerXet?: boolean },
  ): Promise<LfsBatchAnswer[]>;
  /** The Xet CAS (xet-protocol.md §6). */
  readonly xet: XetCasCalls;
  /** PUT to a presigned URL, never with Authorization. Returns the ETag header verbatim, if any. */
  putUpload(url: string, body: UploadBody): Promise<{ etag: string | null }>;
  /** POST the multipart completion (no Authorization); idempotent on the Hub side. */
  completeMultipart(
    url: string,
    oid: string,
    parts: readonly { partNumber: number; etag: string }[],
    signal?: AbortSignal,
  ): Promise<void>;
  verifyLfs(action: LfsVerifyAction, oid: string, size: number, signal?: AbortSignal): Promise<void>;
  /** NDJSON commit. A lost answer rejects with a HubError whose `maybeApplied` is true. */
  commit(
    repo: HubRepo,
    revision: string,
    request: CommitRequest,
    signal?: AbortSignal,
  ): Promise<CommitAnswer>;
  /** ≤ 1000 paths per call; absent paths are omitted from the answer. */
  pathsInfo(
    repo: HubRepo,
    revision: string,
    paths: readonly string[],
    signal?: AbortSignal,
  ): Promise<PathInfo[]>;
  /**
   * `GET …/tree/{rev}[/{path}]?recursive=true` (hub-protocol.md §7.2), one page per item, following
   * the `Link: <…>; rel="next"` header to the end. A missing folder yields nothing.
   */
  listTree(
    repo: HubRepo,
    revision: string,
    options?: { path?: string; recursive?: boolean; signal?: AbortSignal },
  ): AsyncIterable<PathInfo[]>;
  /** `GET …/discussions?p=N`, newest first, one page per item (pages follow `start` and `count`). */
  listDiscussions(repo: HubRepo, signal?: AbortSignal): AsyncIterable<DiscussionSummary[]>;
  close(): Promise<void>;
}
