import type { CallTimeouts } from "./call-timeouts.js";
import type { DiscussionSummary, HubRepo } from "./hub-client.js";
import type { HubTransport } from "./hub-transport.js";
import { isRecord, protocolError } from "./protocol-error.js";
import { repoPaths } from "./repo-paths.js";

/** A safety stop: the Hub pages discussions by 50; 2,000 pages is 100,000 discussions. */
const MAX_PAGES = 2000;

/**
 * `GET /api/{type}s/{id}/discussions?p=N`, newest first, as huggingface_hub's get_repo_discussions
 * reads it: `{discussions, count, start}`, and a next page while `start + discussions.length < count`.
 */
export async function* listDiscussions(
  transport: HubTransport,
  repo: HubRepo,
  signal: AbortSignal | undefined,
  timeouts: Pick<CallTimeouts, "quickMs">,
): AsyncGenerator<DiscussionSummary[]> {
  const base = repoPaths(transport.endpoint, repo).discussions;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { json, response } = await transport.sendJson({
      method: "GET",
      url: `${base}?p=${page}`,
      hub: true,
      operation: "discussions listing",
      headersTimeoutMs: timeouts.quickMs,
      context: { repo },
      signal,
    });
    const fail = (what: string) => protocolError(response.context, what);
    if (!isRecord(json) || !Array.isArray(json.discussions)) throw fail("no `discussions` array");
    const items: DiscussionSummary[] = json.discussions.map((d: unknown) => {
      if (!isRecord(d) || typeof d.num !== "number" || typeof d.title !== "string") {
        throw fail("a discussion without numeric `num` and string `title`");
      }
      const author = isRecord(d.author) && typeof d.author.name === "string" ? d.author.name : null;
      return {
        num: d.num,
        title: d.title,
        isPullRequest: d.isPullRequest === true,
        status: typeof d.status === "string" ? d.status : "open",
        author,
      };
    });
    yield items;
    const start = typeof json.start === "number" ? json.start : 0;
    const count = typeof json.count === "number" ? json.count : 0;
    if (items.length === 0 || start + items.length >= count) return;
  }
}
