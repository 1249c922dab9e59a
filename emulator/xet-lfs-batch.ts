import { randomUUID } from "node:crypto";
import type { RequestContext } from "./emulator-state.js";
import { mintXetToken, writeTokenUrl } from "./handle-xet-token.js";
import type { RepoRow } from "./metadata-db.js";

interface BatchObjectAnswer {
  readonly oid: string;
  readonly size: number;
  readonly error?: unknown;
  readonly actions?: unknown;
}

/**
 * The LFS batch answer for a client that offered `xet` to a Xet-enabled emulator (§1.1): the same
 * objects, but each one still to upload carries `actions.upload` = the write-token refresh URL plus
 * the X-Xet-* headers; stored objects and per-object errors pass through unchanged. Returns null when
 * the classic answer applies (Xet off, or `xet` not offered).
 */
export function xetBatchAnswer(
  ctx: RequestContext,
  repo: RepoRow,
  refName: string | undefined,
  transfers: readonly unknown[],
  answers: readonly BatchObjectAnswer[],
): Record<string, unknown> | null {
  const xet = ctx.state.xet;
  if (!xet?.enabledFor(repo.id) || !transfers.includes("xet")) return null;
  const ref = refName?.replace(/^refs\/heads\//, "") ?? "main";
  const { headers } = mintXetToken(ctx, xet, repo, ref, "write");
  const sessionId = randomUUID();
  const objects = answers.map((a) => {
    if (a.error !== undefined || a.actions === undefined) return a;
    return {
      oid: a.oid,
      size: a.size,
      authenticated: true,
      actions: {
        upload: {
          href: writeTokenUrl(ctx, repo, ref),
          header: { ...headers, "X-Xet-Session-Id": sessionId },
        },
      },
    };
  });
  return { transfer: "xet", objects, hash_algo: "sha256" };
}
