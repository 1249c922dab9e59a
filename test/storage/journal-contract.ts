/**
 * The Journal contract: the behaviour storage/journal.ts promises, checked against any
 * implementation built by the factory. Run it from a .test.ts file per implementation.
 */
import { claimsAndTransactions } from "./contract/claims-and-transactions.js";
import { commitsLfsEvents } from "./contract/commits-lfs-events.js";
import type { JournalFactory, TapTest } from "./contract/contract-helpers.js";
import { jobsAndScans } from "./contract/jobs-and-scans.js";
import { patternDeletionsAndPullRequests } from "./contract/pattern-deletions.js";
import { remoteDeletions } from "./contract/remote-deletions.js";
import { stages } from "./contract/stages.js";

export type { JournalFactory } from "./contract/contract-helpers.js";

export function journalContract(t: TapTest, factory: JournalFactory): void {
  jobsAndScans(t, factory);
  stages(t, factory);
  claimsAndTransactions(t, factory);
  commitsLfsEvents(t, factory);
  remoteDeletions(t, factory);
  patternDeletionsAndPullRequests(t, factory);
}
