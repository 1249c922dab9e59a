import { createRepo } from "./create-repo.js";
import { encodeCommitStream } from "./encode-commit.js";
import { headerValue } from "./header-value.js";
import type {
  CommitAnswer,
  CommitRequest,
  CreateRepoRequest,
  DiscussionSummary,
  HubClient,
  HubRepo,
  LfsBatchAnswer,
  LfsObjectRequest,
  LfsVerifyAction,
  PathInfo,
  PreuploadAnswer,
  PreuploadFile,
  UploadBody,
  XetCasCalls,
} from "./hub-client.js";
import { HubError } from "./hub-error.js";
import { HubTransport } from "./hub-transport.js";
import { listDiscussions } from "./list-discussions.js";
import { listTree } from "./list-tree.js";
import { parseLfsBatch } from "./parse-lfs-batch.js";
import { parsePathsInfo } from "./parse-paths-info.js";
import { parsePreupload } from "./parse-preupload.js";
import { isRecord, protocolError } from "./protocol-error.js";
import { RepoMoves } from "./repo-moves.js";
import { repoPaths } from "./repo-paths.js";
import {
  type ResolvedHubClientOptions,
  resolveHubClientOptions,
  type UndiciHubClientOptions,
} from "./undici-hub-client-options.js";
import { XetCasClient } from "./xet-cas-client.js";

const LFS_JSON = "application/vnd.git-lfs+json";
const MAX_PREUPLOAD_FILES = 100;
const MAX_LFS_OBJECTS = 100;
const MAX_PATHS_INFO = 1000;

function tooMany(what: string, count: number, max: number): HubError {
  return new HubError(
    "ERR_INTERNAL",
    `hubpush asked ${what} for ${count} items at once; the limit is ${max}.`,
  );
}

/** HubClient on undici (hub-protocol.md): one keep-alive pool per origin, typed errors. */
export class UndiciHubClient implements HubClient {
  readonly endpoint: string;
  readonly #options: ResolvedHubClientOptions;
  readonly #transport: HubTransport;
  readonly #moves: RepoMoves;
  readonly xet: XetCasCalls;

  constructor(options: UndiciHubClientOptions) {
    this.#options = resolveHubClientOptions(options);
    this.endpoint = this.#options.endpoint;
    this.#moves = new RepoMoves(options.onRepoMoved);
    this.#transport = new HubTransport({
      ...this.#options,
      onRedirect: (from, to) => this.#moves.redirected(from, to),
    });
    this.xet = new XetCasClient(this.#transport, this.#options.timeouts);
  }

  async whoami(signal?: AbortSignal): Promise<{ name: string }> {
    const { json, response } = await this.#transport.sendJson({
      method: "GET",
      url: `${this.endpoint}/api/whoami-v2`,
      hub: true,
      operation: "whoami",
      headersTimeoutMs: this.#options.timeouts.quickMs,
      signal,
    });
    if (!isRecord(json) || typeof json.name !== "string") throw protocolError(response.context, "no `name`");
    return { name: json.name };
  }

  createRepo(repo: HubRepo, options: CreateRepoRequest): Promise<{ url: string }> {
    return createRepo(this.#transport, this.#moves.current(repo), options, this.#options.timeouts);
  }

  async repoInfo(
    repo: HubRepo,
    revision: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; sha: string | null; private: boolean }> {
    const { json, response } = await this.#transport.sendJson({
      method: "GET",
      url: repoPaths(this.endpoint, this.#moves.current(repo)).revision(revision),
      hub: true,
      operation: "repo info",
      headersTimeoutMs: this.#options.timeouts.quickMs,
      context: { repo, revision },
      signal,
    });
    if (!isRecord(json) || typeof json.id !== "string") throw protocolError(response.context, "no `id`");
    return {
      id: json.id,
      sha: typeof json.sha === "string" ? json.sha : null,
      private: json.private === true,
    };
  }

  async createBranch(repo: HubRepo, branch: string, signal?: AbortSignal): Promise<void> {
    await this.#transport.send({
      method: "POST",
      url: repoPaths(this.endpoint, this.#moves.current(repo)).branch(branch),
      hub: true,
      operation: "create branch",
      headersTimeoutMs: this.#options.timeouts.quickMs,
      context: { repo, revision: branch },
      body: { json: {} },
      accept: [409],
      signal,
    });
  }

  async preupload(
    repo: HubRepo,
    revision: string,
    files: readonly PreuploadFile[],
    options: { gitIgnore?: string; signal?: AbortSignal; createPr?: boolean } = {},
  ): Promise<PreuploadAnswer[]> {
    if (files.length > MAX_PREUPLOAD_FILES) throw tooMany("preupload", files.length, MAX_PREUPLOAD_FILES);
    if (files.length === 0) return [];
    const { json, response } = await this.#transport.sendJson({
      method: "POST",
      // create_pr=1: the commit will open a PR, for which the Hub asks only read access (§3).
      url: `${repoPaths(this.endpoint, this.#moves.current(repo)).preupload(revision)}${options.createPr === true ? "?create_pr=1" : ""}`,
      hub: true,
      operation: "preupload",
      headersTimeoutMs: this.#options.timeouts.batchMs,
      context: { repo, revision },
      body: {
        json: {
          files: files.map((f) => ({ path: f.path, sample: f.sample, size: f.size })),
          ...(options.gitIgnore === undefined ? {} : { gitIgnore: options.gitIgnore }),
        },
      },
      signal: options.signal,
    });
    return parsePreupload(json, files, (what) => protocolError(response.context, what));
  }

  async lfsBatch(
    repo: HubRepo,
    revision: string,
    objects: readonly LfsObjectRequest[],
    signal?: AbortSignal,
    options: { omitRef?: boolean; readonly offerXet?: boolean } = {},
  ): Promise<LfsBatchAnswer[]> {
    if (objects.length > MAX_LFS_OBJECTS) throw tooMany("the LFS batch", objects.length, MAX_LFS_OBJECTS);
    if (objects.length === 0) return [];
    const { json, response } = await this.#transport.sendJson({
      method: "POST",
      url: repoPaths(this.endpoint, this.#moves.current(repo)).lfsBatch,
      hub: true,
      operation: "LFS batch",
      headersTimeoutMs: this.#options.timeouts.batchMs,
      context: { repo, revision },
      headers: { accept: LFS_JSON },
      body: {
        contentType: LFS_JSON,
        json: {
          operation: "upload",
          transfers: options.offerXet === true ? ["basic", "multipart", "xet"] : ["basic", "multipart"],
          objects: objects.map((o) => ({ oid: o.oid, size: o.size })),
          hash_algo: "sha256",
          // Raw, not percent-encoded: it is a JSON value, not a path segment.
          ...(options.omitRef === true ? {} : { ref: { name: revision } }),
        },
      },
      signal,
    });
    return parseLfsBatch(json, objects, {
      now: this.#options.now,
      fail: (what) => protocolError(response.context, what),
      offeredXet: options.offerXet === true,
    });
  }

  async putUpload(url: string, body: UploadBody): Promise<{ etag: string | null }> {
    // Self-authenticating URL: no Hub headers at all, above all no Authorization.
    const response = await this.#transport.send({
      method: "PUT",
      url,
      hub: false,
      operation: "upload",
      headersTimeoutMs: this.#options.timeouts.uploadMs,
      headers: body.header ?? {},
      body: { bytes: body.body, length: body.length, pulled: body.pulled === true },
      signal: body.signal,
    });
    return { etag: headerValue(response.headers, "etag") ?? null };
  }

  async completeMultipart(
    url: string,
    oid: string,
    parts: readonly { partNumber: number; etag: string }[],
    signal?: AbortSignal,
  ): Promise<void> {
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    await this.#transport.send({
      method: "POST",
      url,
      hub: false,
      operation: "multipart completion",
      headersTimeoutMs: this.#options.timeouts.completionMs,
      headers: { accept: LFS_JSON },
      body: {
        contentType: LFS_JSON,
        json: { oid, parts: sorted.map((p) => ({ partNumber: p.partNumber, etag: p.etag })) },
      },
      signal,
    });
  }

  async verifyLfs(action: LfsVerifyAction, oid: string, size: number, signal?: AbortSignal): Promise<void> {
    await this.#transport.send({
      method: "POST",
      url: action.href,
      hub: true,
      operation: "LFS verify",
      headersTimeoutMs: this.#options.timeouts.verifyMs,
      headers: action.header,
      body: { json: { oid, size } },
      signal,
    });
  }

  async commit(
    repo: HubRepo,
    revision: string,
    request: CommitRequest,
    signal?: AbortSignal,
  ): Promise<CommitAnswer> {
    // Inline contents are read from disk while the body goes out (never held whole).
    const encoded = encodeCommitStream(request);
    const { json, response } = await this.#transport.sendJson({
      method: "POST",
      url: `${repoPaths(this.endpoint, this.#moves.current(repo)).commit(revision)}${request.createPr === true ? "?create_pr=1" : ""}`,
      hub: true,
      operation: "commit",
      context: { repo, revision },
      body: { bytes: encoded.chunks(), length: encoded.length, contentType: "application/x-ndjson" },
      headersTimeoutMs: this.#options.timeouts.commitMs,
      signal,
    });
    if (!isRecord(json) || typeof json.commitOid !== "string" || typeof json.commitUrl !== "string") {
      throw protocolError(response.context, "no string `commitOid` and `commitUrl`");
    }
    if (request.createPr !== true) return { commitOid: json.commitOid, commitUrl: json.commitUrl };
    // hub-protocol.md §6: with create_pr the answer carries `pullRequestUrl` ending in /discussions/N.
    const url = json.pullRequestUrl;
    const num = typeof url === "string" ? /\/discussions\/(\d+)$/.exec(url)?.[1] : undefined;
    if (typeof url !== "string" || num === undefined) {
      throw protocolError(
        response.context,
        "no `pullRequestUrl` ending in /discussions/N for a create_pr commit",
      );
    }
    return {
      commitOid: json.commitOid,
      commitUrl: json.commitUrl,
      pullRequest: { num: Number(num), url },
    };
  }

  listTree(
    repo: HubRepo,
    revision: string,
    options: { path?: string; signal?: AbortSignal } = {},
  ): AsyncIterable<PathInfo[]> {
    return listTree(this.#transport, this.#moves.current(repo), revision, options, this.#options.timeouts);
  }

  listDiscussions(repo: HubRepo, signal?: AbortSignal): AsyncIterable<DiscussionSummary[]> {
    return listDiscussions(this.#transport, this.#moves.current(repo), signal, this.#options.timeouts);
  }

  async pathsInfo(
    repo: HubRepo,
    revision: string,
    paths: readonly string[],
    signal?: AbortSignal,
  ): Promise<PathInfo[]> {
    if (paths.length > MAX_PATHS_INFO) throw tooMany("paths-info", paths.length, MAX_PATHS_INFO);
    if (paths.length === 0) return [];
    const { json, response } = await this.#transport.sendJson({
      method: "POST",
      url: repoPaths(this.endpoint, this.#moves.current(repo)).pathsInfo(revision),
      hub: true,
      operation: "paths-info",
      headersTimeoutMs: this.#options.timeouts.batchMs,
      context: { repo, revision },
      body: { json: { paths, expand: false } },
      signal,
    });
    return parsePathsInfo(json, (what) => protocolError(response.context, what));
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }
}
