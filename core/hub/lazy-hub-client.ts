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
  XetAccessToken,
  XetCasCalls,
} from "./hub-client.js";
import { resolveHubClientOptions, type UndiciHubClientOptions } from "./undici-hub-client-options.js";

/**
 * The UndiciHubClient, loaded on its first call. A restart over a folder whose files are all
 * committed never talks to the Hub (job-runner.ts), and loading undici and the client's modules
 * was about a tenth of that restart's CPU time (issue 16 item 2). Every call behaves as the
 * client's own: the module loads once, before the first request.
 */
export class LazyHubClient implements HubClient {
  readonly endpoint: string;
  readonly xet: XetCasCalls;
  readonly #options: UndiciHubClientOptions;
  #client: Promise<HubClient> | null = null;

  constructor(options: UndiciHubClientOptions) {
    this.#options = options;
    this.endpoint = resolveHubClientOptions(options).endpoint;
    const real = (): Promise<HubClient> => this.#real();
    this.xet = {
      writeToken: async (refreshUrl: string, signal?: AbortSignal): Promise<XetAccessToken> =>
        (await real()).xet.writeToken(refreshUrl, signal),
      uploadXorb: async (
        token: XetAccessToken,
        hash: string,
        body: Uint8Array,
        signal?: AbortSignal,
        pace?: (bytes: number) => Promise<void>,
      ): Promise<boolean> => (await real()).xet.uploadXorb(token, hash, body, signal, pace),
      uploadShard: async (token: XetAccessToken, body: Uint8Array, signal?: AbortSignal): Promise<void> =>
        (await real()).xet.uploadShard(token, body, signal),
      queryChunk: async (
        token: XetAccessToken,
        chunkHash: string,
        signal?: AbortSignal,
      ): Promise<Uint8Array | null> => (await real()).xet.queryChunk(token, chunkHash, signal),
    };
  }

  /** Whether the real client was ever asked for (tests: an all-unchanged restart loads nothing). */
  get loaded(): boolean {
    return this.#client !== null;
  }

  #real(): Promise<HubClient> {
    this.#client ??= import("./undici-hub-client.js").then(
      ({ UndiciHubClient }) => new UndiciHubClient(this.#options),
    );
    return this.#client;
  }

  async whoami(signal?: AbortSignal): Promise<{ name: string }> {
    return (await this.#real()).whoami(signal);
  }

  async createRepo(repo: HubRepo, options: CreateRepoRequest): Promise<{ url: string }> {
    return (await this.#real()).createRepo(repo, options);
  }

  async repoInfo(
    repo: HubRepo,
    revision: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; sha: string | null; private: boolean }> {
    return (await this.#real()).repoInfo(repo, revision, signal);
  }

  async createBranch(repo: HubRepo, branch: string, signal?: AbortSignal): Promise<void> {
    return (await this.#real()).createBranch(repo, branch, signal);
  }

  async preupload(
    repo: HubRepo,
    revision: string,
    files: readonly PreuploadFile[],
    options?: { gitIgnore?: string; signal?: AbortSignal; createPr?: boolean },
  ): Promise<PreuploadAnswer[]> {
    return (await this.#real()).preupload(repo, revision, files, options);
  }

  async lfsBatch(
    repo: HubRepo,
    revision: string,
    objects: readonly LfsObjectRequest[],
    signal?: AbortSignal,
    options?: { omitRef?: boolean; readonly offerXet?: boolean },
  ): Promise<LfsBatchAnswer[]> {
    return (await this.#real()).lfsBatch(repo, revision, objects, signal, options);
  }

  async putUpload(url: string, body: UploadBody): Promise<{ etag: string | null }> {
    return (await this.#real()).putUpload(url, body);
  }

  async completeMultipart(
    url: string,
    oid: string,
    parts: readonly { partNumber: number; etag: string }[],
    signal?: AbortSignal,
  ): Promise<void> {
    return (await this.#real()).completeMultipart(url, oid, parts, signal);
  }

  async verifyLfs(action: LfsVerifyAction, oid: string, size: number, signal?: AbortSignal): Promise<void> {
    return (await this.#real()).verifyLfs(action, oid, size, signal);
  }

  async commit(
    repo: HubRepo,
    revision: string,
    request: CommitRequest,
    signal?: AbortSignal,
  ): Promise<CommitAnswer> {
    return (await this.#real()).commit(repo, revision, request, signal);
  }

  async pathsInfo(
    repo: HubRepo,
    revision: string,
    paths: readonly string[],
    signal?: AbortSignal,
  ): Promise<PathInfo[]> {
    return (await this.#real()).pathsInfo(repo, revision, paths, signal);
  }

  async *listTree(
    repo: HubRepo,
    revision: string,
    options?: { path?: string; recursive?: boolean; signal?: AbortSignal },
  ): AsyncIterable<PathInfo[]> {
    yield* (await this.#real()).listTree(repo, revision, options);
  }

  async *listDiscussions(repo: HubRepo, signal?: AbortSignal): AsyncIterable<DiscussionSummary[]> {
    yield* (await this.#real()).listDiscussions(repo, signal);
  }

  async close(): Promise<void> {
    // Never loaded: no connection was opened.
    if (this.#client === null) return;
    await (await this.#client).close();
  }
}
