import { HashPool } from "../../core/hash/hash-pool.js";
import { UndiciHubClient } from "../../core/hub/undici-hub-client.js";
import type { HashLookup } from "../../core/verify/local-hasher.js";
import { JobHashCache } from "../../storage/job-hash-cache.js";
import type { CliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { hashProgress } from "./hash-progress.js";
import { jobSpecsOf, type ResolvedTarget } from "./target-flags.js";

/**
 * What `verify` and `plan` both need around their run: a read-only Hub client, the hash pool, the
 * journal's hashes opened read-only for the job the same upload would be, and a progress bar; all
 * released by close().
 */
export interface CompareSession {
  readonly hub: UndiciHubClient;
  readonly pool: HashPool;
  readonly excludeAbsolute: readonly string[];
  lookup(root: string, single: string | null): HashLookup | null;
  readonly onProgress: ReturnType<typeof hashProgress>["update"];
  /** Ends the progress bar (before printing the result). */
  endProgress(): void;
  close(): Promise<void>;
}

export function openCompareSession(
  io: CliIo,
  config: CliConfig,
  target: ResolvedTarget,
  token: string,
): CompareSession {
  const hub = new UndiciHubClient({ endpoint: target.endpoint, token: async () => token });
  const pool = new HashPool();
  const caches: JobHashCache[] = [];
  const progress = hashProgress(io.stderr as CliIo["stdout"], "hashing");
  return {
    hub,
    pool,
    excludeAbsolute: [config.paths.home],
    lookup: (_root, single) => {
      const cache = JobHashCache.open(config.paths.journal, jobSpecsOf(target, single !== null));
      if (cache !== null) caches.push(cache);
      return cache;
    },
    onProgress: progress.update,
    endProgress: () => progress.end(),
    close: async () => {
      progress.end();
      for (const cache of caches) cache.close();
      await pool.close();
      await hub.close();
    },
  };
}
