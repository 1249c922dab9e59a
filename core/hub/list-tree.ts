import type { CallTimeouts } from "./call-timeouts.js";
import { headerValue } from "./header-value.js";
import type { HubRepo, PathInfo } from "./hub-client.js";
import { HubError } from "./hub-error.js";
import type { HubTransport } from "./hub-transport.js";
import { parsePathsInfo } from "./parse-paths-info.js";
import { protocolError } from "./protocol-error.js";
import { repoPaths } from "./repo-paths.js";

/** `Link: <https://…>; rel="next"` — the form hub-protocol.md §7.2 gives (absolute URL, a space after `;`). */
const NEXT_LINK = /<(https?:\/\/[^>]+)>;\s*rel="next"/;

/** The next page's URL from a Link header, if any. */
export function nextLink(link: string | undefined): string | null {
  if (link === undefined) return null;
  return NEXT_LINK.exec(link)?.[1] ?? null;
}

/**
 * A recursive tree listing, page by page (hub-protocol.md §7.2): the first page is asked with
 * `recursive=true`; each next page is the URL of the `Link` header as given (it carries the cursor
 * and every parameter itself). A missing folder (`EntryNotFound`) is an empty listing.
 */
export async function* listTree(
  transport: HubTransport,
  repo: HubRepo,
  revision: string,
  options: { path?: string; recursive?: boolean; signal?: AbortSignal },
  timeouts: Pick<CallTimeouts, "batchMs">,
): AsyncGenerator<PathInfo[]> {
  let url: string | null =
    `${repoPaths(transport.endpoint, repo).tree(revision, options.path ?? "")}${options.recursive === false ? "?" : "?recursive=true&"}expand=false`;
  let pages = 0;
  while (url !== null) {
    let answer: Awaited<ReturnType<HubTransport["sendJson"]>>;
    try {
      answer = await transport.sendJson({
        method: "GET",
        url,
        hub: true,
        operation: "tree listing",
        headersTimeoutMs: timeouts.batchMs,
        context: { repo, revision },
        signal: options.signal,
      });
    } catch (err) {
      if (pages === 0 && err instanceof HubError && err.errorCode === "EntryNotFound") return;
      throw err;
    }
    const { json, response } = answer;
    pages += 1;
    yield parsePathsInfo(json, (what) => protocolError(response.context, what));
    const next = nextLink(headerValue(response.headers, "link"));
    if (next !== null && new URL(next).origin !== new URL(transport.endpoint).origin) {
      // The token goes only to the Hub: a next page elsewhere is a protocol error, not a redirect.
      throw protocolError(response.context, `a Link to another host (${next})`);
    }
    url = next;
  }
}
