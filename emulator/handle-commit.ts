import { applyCommit } from "./apply-commit.js";
import { loadMatchedRepo, requestToken } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { isPullRequestWrite } from "./handle-preupload.js";
import type { RouteMatch } from "./match-route.js";
import { parseCommitBody } from "./parse-commit-body.js";
import { checkMetadata, invalidMetadata, metadataWarning } from "./readme-metadata.js";
import { repoWebUrl } from "./repo-urls.js";
import { revisionNotFound } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";

/** `POST /api/{type}s/{id}/commit/{rev}[?create_pr=1]` with an NDJSON body. */
export async function handleCommit(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const rev = match.rev ?? "main";
  const createPr = ["1", "true"].includes(ctx.url.searchParams.get("create_pr") ?? "");
  const repo = loadMatchedRepo(ctx, match.repo, isPullRequestWrite(ctx, rev) ? "pr" : "write");
  const refName = rev.startsWith("refs/heads/") ? rev.slice("refs/heads/".length) : rev;
  const ref = ctx.state.repos.getRef(repo.id, refName);
  // Commits go to a branch or PR ref, never to a commit id; create_pr needs a branch.
  if (!ref || (createPr && ref.kind !== "branch")) throw revisionNotFound(rev);
  const parsed = await parseCommitBody(ctx);
  // The Hub validates a root README.md's metadata at commit: refuse invalid YAML, warn on none.
  let warning: string | undefined;
  for (const op of parsed.ops) {
    if (op.kind !== "put" || op.entry.path !== "README.md" || op.entry.kind !== "regular") continue;
    const check = checkMetadata(ctx.state.objects.readObject(op.entry.sha256).toString("utf8"));
    if (check.errors.length > 0) throw invalidMetadata(check.errors);
    if (check.warnings.length > 0) warning = metadataWarning(check.warnings);
  }
  const author = requestToken(ctx)?.user ?? "anonymous";
  const result = applyCommit(ctx.state, {
    repo,
    refName,
    title: parsed.summary,
    message: parsed.description,
    author,
    parentCommit: parsed.parentCommit,
    createPr,
    ops: parsed.ops,
  });
  const web = repoWebUrl(ctx.baseUrl, repo);
  sendJson(
    ctx,
    200,
    {
      success: true,
      commitOid: result.commitId,
      commitUrl: `${web}/commit/${result.commitId}`,
      hookOutput: "",
      ...(createPr ? { pullRequestUrl: `${web}/discussions/${result.prNumber}` } : {}),
    },
    warning === undefined ? {} : { "X-HF-Warning": warning },
  );
}
