import type { CommitRecord } from "../../storage/journal.js";
import type { CommitStageDeps } from "../stage-deps.js";
import { remotePathsInfo } from "./remote-paths-info.js";

/**
 * --create-pr (docs/cli.md): the job's first commit is sent with `create_pr=1` and opens pull
 * request N; every later commit goes to `refs/pr/N`. N is journaled in the same transaction as the
 * commit's answer, so a resumed job never opens a second PR.
 *
 * The crash window: the create_pr commit reached the Hub but its answer (and so N) was lost. Before
 * sending, the committer journals the highest discussion number the Hub lists (the floor). A PR
 * the lost commit opened is then numbered above the floor, is a pull request, carries the commit's
 * summary as its title (the Hub titles a create_pr PR with it), and its head holds every file of
 * the batch with the journaled content (a commit is applied whole or not at all) and none of the
 * batch's deletions. The lowest-numbered PR that passes all four is adopted; if none does, the
 * commit did not land and its files are sent again (with create_pr=1).
 */

/** The highest discussion or PR number of the repo now (0: none); listings come newest first. */
export async function highestDiscussion(ctx: CommitStageDeps): Promise<number> {
  for await (const page of ctx.hub.listDiscussions(ctx.repo, ctx.signal)) {
    return page.reduce((max, d) => Math.max(max, d.num), 0);
  }
  return 0;
}

/** Lists the floor once per run of the committer, before its first create_pr commit is recorded as sent. */
export async function recordPullRequestFloor(ctx: CommitStageDeps): Promise<void> {
  const floor = await ctx.api(() => highestDiscussion(ctx));
  ctx.journal.jobs.recordPullRequestFloor(ctx.jobId, floor);
  ctx.logger.info({ floor }, "pull request floor recorded");
}

/** The PR a lost create_pr commit opened, by the rule above, or null when it did not land. */
export async function findLostPullRequest(
  ctx: CommitStageDeps,
  commit: CommitRecord,
): Promise<number | null> {
  const floor = ctx.journal.jobs.get(ctx.jobId)?.pullRequestFloor ?? 0;
  const candidates: number[] = [];
  const pages = ctx.hub.listDiscussions(ctx.repo, ctx.signal)[Symbol.asyncIterator]();
  for (;;) {
    const next = await ctx.api(() => pages.next());
    if (next.done === true) break;
    for (const d of next.value) {
      if (d.num > floor && d.isPullRequest && d.title === commit.message) candidates.push(d.num);
    }
    // Newest first: a page reaching the floor ends the search.
    if (next.value.some((d) => d.num <= floor)) break;
  }
  const files = ctx.journal.commits.files(commit.id);
  const deletions = ctx.journal.deletions.forCommit(commit.id);
  for (const num of candidates.sort((a, b) => a - b)) {
    const paths = [...files.map((f) => f.path), ...deletions.map((d) => d.path)].map((p) =>
      ctx.pathInRepo(p),
    );
    const remote = await remotePathsInfo(ctx, paths, `refs/pr/${num}`);
    const holdsFiles = files.every((f) => {
      const info = remote.get(ctx.pathInRepo(f.path));
      if (info?.type !== "file") return false;
      return f.uploadMode === "lfs" ? info.lfs?.oid === f.sha256 : info.lfs === null && info.oid === f.sha1;
    });
    const deleted = deletions.every((d) => remote.get(ctx.pathInRepo(d.path))?.type !== "file");
    if (holdsFiles && deleted) return num;
  }
  return null;
}
