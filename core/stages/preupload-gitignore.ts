import { readFile } from "node:fs/promises";
import path from "node:path";
import { createPathFilter } from "../scan/path-filter.js";
import type { StageBase } from "../stage-deps.js";

/**
 * The preupload `gitIgnore` exactly as the official clients send it (hub-protocol.md §3): the
 * content of the `.gitignore` this job uploads to the **repo root**, and nothing otherwise, so the
 * Hub applies the repo's own `.gitignore`. The local root `.gitignore` still filters the scan; sent
 * for a job with --path-in-repo it would be applied at the repo root, where it does not sit, and
 * could make the Hub ignore files the user meant to upload (`sub/` ignores all of `--path-in-repo sub`).
 *
 * Returns a reader called per batch: the decision (is `.gitignore` part of the upload?) is made once,
 * the content is read each time so it matches what the commit takes.
 */
export async function preuploadGitignore(
  ctx: Pick<StageBase, "job">,
): Promise<() => Promise<string | undefined>> {
  const none = async () => undefined;
  if (ctx.job.pathInRepo !== "") return none;
  let filter: Awaited<ReturnType<typeof createPathFilter>>;
  try {
    filter = await createPathFilter(ctx.job.folder, {
      include: ctx.job.options.include,
      exclude: ctx.job.options.exclude,
    });
  } catch {
    // An unreadable folder or .gitignore: the scan reports it (and uploads nothing meanwhile).
    return none;
  }
  if (!filter.file(".gitignore", false)) return none;
  const file = path.join(ctx.job.folder, ".gitignore");
  return async () => {
    try {
      return await readFile(file, "utf8");
    } catch {
      return undefined;
    }
  };
}
