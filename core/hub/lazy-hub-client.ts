import type { HubClient, XetCasCalls } from "./hub-client.js";
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
    // Parameters come from the interface (no signature written twice, none that can drift from it).
    this.xet = {
      writeToken: async (...args) => (await this.#real()).xet.writeToken(...args),
      uploadXorb: async (...args) => (await this.#real()).xet.uploadXorb(...args),
      uploadShard: async (...args) => (await this.#real()).xet.uploadShard(...args),
      queryChunk: async (...args) => (await this.#real()).xet.queryChunk(...args),
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

  whoami = async (...args: Parameters<HubClient["whoami"]>) => (await this.#real()).whoami(...args);
  createRepo = async (...args: Parameters<HubClient["createRepo"]>) =>
    (await this.#real()).createRepo(...args);
  repoInfo = async (...args: Parameters<HubClient["repoInfo"]>) => (await this.#real()).repoInfo(...args);
  createBranch = async (...args: Parameters<HubClient["createBranch"]>) =>
    (await this.#real()).createBranch(...args);
  preupload = async (...args: Parameters<HubClient["preupload"]>) => (await this.#real()).preupload(...args);
  lfsBatch = async (...args: Parameters<HubClient["lfsBatch"]>) => (await this.#real()).lfsBatch(...args);
  putUpload = async (...args: Parameters<HubClient["putUpload"]>) => (await this.#real()).putUpload(...args);
  completeMultipart = async (...args: Parameters<HubClient["completeMultipart"]>) =>
    (await this.#real()).completeMultipart(...args);
  verifyLfs = async (...args: Parameters<HubClient["verifyLfs"]>) => (await this.#real()).verifyLfs(...args);
  commit = async (...args: Parameters<HubClient["commit"]>) => (await this.#real()).commit(...args);
  pathsInfo = async (...args: Parameters<HubClient["pathsInfo"]>) => (await this.#real()).pathsInfo(...args);

  async *listTree(...args: Parameters<HubClient["listTree"]>): ReturnType<HubClient["listTree"]> {
    yield* (await this.#real()).listTree(...args);
  }

  async *listDiscussions(
    ...args: Parameters<HubClient["listDiscussions"]>
  ): ReturnType<HubClient["listDiscussions"]> {
    yield* (await this.#real()).listDiscussions(...args);
  }

  async close(): Promise<void> {
    // Never loaded: no connection was opened.
    if (this.#client === null) return;
    await (await this.#client).close();
  }
}
