import { loadMatchedRepo, requestToken } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import type { RepoRow } from "./metadata-db.js";
import { asObject, readJsonBody } from "./read-body.js";
import { repoWebUrl } from "./repo-urls.js";
import { sendJson } from "./send-response.js";

const DISCUSSIONS_PER_PAGE = 50;

interface DiscussionRow {
  readonly num: number;
  readonly title: string;
  readonly description: string;
  readonly is_pr: number;
  readonly author: string;
  readonly created_at: number;
}

/**
 * Discussions and pull requests share one number sequence per repo. A PR opened by a `create_pr=1`
 * commit has a `refs/pr/N` ref but no row: it is listed with a generated title.
 */
function allDiscussions(ctx: RequestContext, repo: RepoRow): DiscussionRow[] {
  const rows = ctx.state.db
    .prepare<[number], DiscussionRow>("SELECT * FROM discussions WHERE repo_id = ? ORDER BY num")
    .all(repo.id);
  const known = new Set(rows.map((r) => r.num));
  for (const ref of ctx.state.repos.listRefs(repo.id)) {
    const num = ref.kind === "pr" ? Number(ref.name.slice("refs/pr/".length)) : Number.NaN;
    if (!Number.isInteger(num) || known.has(num)) continue;
    const first = ctx.state.repos.getCommit(repo.id, ref.head_commit);
    rows.push({
      num,
      title: first?.title ?? `Pull request ${num}`,
      description: "",
      is_pr: 1,
      author: first?.author ?? "user",
      created_at: first?.created_at ?? repo.created_at,
    });
  }
  return rows.sort((a, b) => b.num - a.num);
}

function toJson(ctx: RequestContext, repo: RepoRow, d: DiscussionRow) {
  return {
    num: d.num,
    title: d.title,
    status: "open",
    isPullRequest: d.is_pr === 1,
    createdAt: new Date(d.created_at).toISOString(),
    author: { name: d.author, type: "user" },
    repo: { name: `${repo.namespace}/${repo.name}`, type: repo.type },
    pinned: false,
    numComments: 1,
    topReactions: [],
    url: `${repoWebUrl(ctx.baseUrl, repo)}/discussions/${d.num}`,
  };
}

/**
 * `GET|POST /api/{type}s/{id}/discussions` and `GET …/discussions/{num}`: create (a PR when
 * `pullRequest: true`, opening `refs/pr/N` at the default branch head), list and get.
 */
export async function handleDiscussions(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const method = ctx.req.method;
  const repo = loadMatchedRepo(ctx, match.repo, method === "POST" ? "pr" : "read");
  if (method === "POST") {
    const body = asObject(await readJsonBody(ctx), "discussion body");
    const title = body.title;
    if (typeof title !== "string" || title.trim().length < 3) {
      throw new HubError(400, "BadRequest", "title must be a string of at least 3 characters.");
    }
    if (body.description !== undefined && typeof body.description !== "string") {
      throw new HubError(400, "BadRequest", "description must be a string when sent.");
    }
    if (body.pullRequest !== undefined && typeof body.pullRequest !== "boolean") {
      throw new HubError(400, "BadRequest", "pullRequest must be a boolean when sent.");
    }
    const author = requestToken(ctx)?.user ?? "user";
    const { repos, tree, db } = ctx.state;
    const num = repos.transaction(() => {
      const n = repos.takePrNumber(repo.id);
      if (body.pullRequest === true) {
        const main = repos.getRef(repo.id, "main");
        if (!main) throw new Error("repo without main");
        const view = { lineId: main.line_id, seq: main.head_seq, commitId: main.head_commit };
        const line = repos.newLine(repo.id);
        tree.copyLine(view, line);
        repos.insertRef(repo.id, `refs/pr/${n}`, "pr", line, view);
      }
      db.prepare(
        "INSERT INTO discussions (repo_id, num, title, description, is_pr, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(
        repo.id,
        n,
        title,
        typeof body.description === "string" ? body.description : "",
        body.pullRequest ? 1 : 0,
        author,
        Date.now(),
      );
      return n;
    });
    const row = allDiscussions(ctx, repo).find((d) => d.num === num);
    if (!row) throw new Error("discussion vanished after insert");
    sendJson(ctx, 200, toJson(ctx, repo, row));
    return;
  }
  const all = allDiscussions(ctx, repo);
  if (match.path === undefined) {
    // Pages of 50, newest first, selected by `p` (huggingface_hub's get_repo_discussions follows
    // `start + discussions.length < count`); the emulator's pageSize option overrides the size.
    const size = ctx.state.config.pageSize ?? DISCUSSIONS_PER_PAGE;
    const rawPage = ctx.url.searchParams.get("p") ?? "0";
    if (!/^\d+$/.test(rawPage)) throw new HubError(400, "BadRequest", "p must be a page number.");
    const start = Number(rawPage) * size;
    sendJson(ctx, 200, {
      discussions: all.slice(start, start + size).map((d) => toJson(ctx, repo, d)),
      count: all.length,
      start,
      numClosedDiscussions: 0,
    });
    return;
  }
  const num = /^\d+$/.test(match.path) ? Number(match.path) : Number.NaN;
  const found = all.find((d) => d.num === num);
  if (!found)
    throw new HubError(
      404,
      "NotFound",
      `Discussion ${match.path} not found in ${repo.namespace}/${repo.name}.`,
    );
  sendJson(ctx, 200, {
    ...toJson(ctx, repo, found),
    events: [
      {
        id: `${found.num}`.padStart(24, "0"),
        type: "comment",
        createdAt: new Date(found.created_at).toISOString(),
        author: { name: found.author, type: "user" },
        data: { edited: false, hidden: false, latest: { raw: found.description, html: found.description } },
      },
    ],
    ...(found.is_pr === 1
      ? {
          changes: { base: "refs/heads/main" },
          filesWithConflicts: [],
          diff: "",
          gitReference: `refs/pr/${found.num}`,
        }
      : {}),
  });
}
