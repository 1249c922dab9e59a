import { headerValue } from "./header-value.js";
import type { HubRepo, PathInfo } from "./hub-client.js";
import { HubError } from "./hub-error.js";
import type { HubTransport } from "./hub-transport.js";
import { parsePathsInfo } from "./parse-paths-info.js";
import { protocolError } from "./protocol-error.js";
import { repoPaths } from "./repo-paths.js";

/** hub-protocol.md §7.2: the next page is in `Link: <absolute url>; rel="next"`. */
const NEXT_LINK = /<(https?:\/\/[^>]+)>;\s*rel="next"/;

export interface ListTreeOptions {
  /** Folder inside the repo ("" = the root). A folder that does not exist yields nothing. */
  readonly path: string;
  readonly recursive: boolean;
  readonly headersTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The tree listing of a revision, one page at a time, following `Link` pagination (1000 entries per
 * page on the Hub), so a repo of 100,000 files is read without holding more than a page per step.
 * Entries carry `lfs` (the content's sha256) for LFS files. A missing folder (404 EntryNotFound)
 * is an empty listing: "nothing under this prefix" is what a caller comparing trees wants to hear.
 * A next-page URL must stay on the endpoint's origin: the Authorization header goes with it.
 */
export async function* listTree(
  transport: HubTransport,
  repo: HubRepo,
  revision: string,
  options: ListTreeOptions,
): AsyncGenerator<PathInfo[]> {
  const origin = new URL(transport.endpoint).origin;
  let url: string | null = `${repoPaths(transport.endpoint, repo).tree(revision, options.path)}${
    options.recursive ? "?recursive=true" : ""
  }`;
  while (url !== null) {
    let answer: Awaited<ReturnType<HubTransport["sendJson"]>>;
    try {
      answer = await transport.sendJson({
        method: "GET",
        url,
        hub: true,
        operation: "tree listing",
        headersTimeoutMs: options.headersTimeoutMs,
        context: { repo, revision },
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof HubError && err.code === "ERR_HUB_ENTRY_NOT_FOUND" && options.path !== "") return;
      throw err;
    }
    const { json, response } = answer;
    yield parsePathsInfo(json, (what) => protocolError(response.context, what));
    const next = headerValue(response.headers, "link")?.match(NEXT_LINK)?.[1] ?? null;
    if (next !== null && new URL(next).origin !== origin) {
      throw protocolError(response.context, `the next page is on another origin (${new URL(next).origin})`);
    }
    url = next;
  }
}
